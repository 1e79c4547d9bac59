"""biogen: a static site generator for premium link-in-bio pages."""

__version__ = "0.1.0"
