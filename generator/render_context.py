"""What every page shares (URLs, hashed assets) and which files shape the pages.

Kept apart from render.py so a build that has nothing to render never imports
Jinja2 or markdown-it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.config import Config


@dataclass(frozen=True)
class SiteContext:
    """What every page shares: URLs, language, and the hashed asset names."""

    base_url: str
    language: str
    home: str
    assets: dict[str, str]  # logical name -> "/assets/name.<hash>.ext"
    media: dict[str, str]   # local image reference -> "/media/<hash>.ext"

    def asset_url(self, name: str) -> str:
        """The content-hashed URL of the packaged or site asset `name`."""
        return self.assets[name]

    def image_url(self, reference: str | None) -> str | None:
        """Where the page loads an image from: the copied local file, or the remote URL."""
        if not reference:
            return None
        return self.media.get(reference, reference)

    def absolute(self, url: str) -> str:
        """`url` made absolute against base_url (remote URLs are already absolute)."""
        return url if "://" in url else self.base_url + url


def template_sources(config: Config) -> list[Path]:
    """Every template file the site uses, site overrides first."""
    seen, files = set(), []
    for folder in config.template_dirs:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in seen:
                seen.add(relative)
                files.append(path)
    return files
