"""`python -m generator` runs the biogen command line."""

from generator.cli import main

main()
