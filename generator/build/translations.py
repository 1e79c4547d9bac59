"""The pages' own words in each language: translations/<tag>.json.

Every word a page shows that the owner did not write (section headings, the default
meta description, the accessible names of generic social icons, the 404 page, the
directory) comes from a translation file: a flat JSON object of keys to strings, with
named placeholders in braces ("Links, products and tools from {name}."), and an
optional "dir" ("rtl" or "ltr"). biogen ships en, vi, es, ar and ja (the top-level
translations/ folder, inside the wheel like templates/); a site adds a language, or
changes some words of one, with its own translations/<tag>.json, whose keys are laid
over the packaged file of the same tag.

English is the reference: en.json holds every key the templates and the code use, and
a key another language lacks shows the English words; `biogen check` lists them.

A tag finds its file as BCP 47 lookup does (RFC 4647, section 3.4), letter case aside:
"pt-BR" uses pt-BR.json, else pt.json. The page's lang attribute keeps the tag as
written. The direction is the file's "dir" when it says, else the tag's: a script
subtag says it ("az-Arab" right-to-left, "ku-Latn" left-to-right), and without one the
language's usual script does (ar, he, fa, ur, ... right-to-left).

A build reads the files once and resolves each language once (Catalog.words), never
per page. Pure but for Catalog reading the files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.config import LANGUAGE_TAG, Config
from generator.data.model import Profile
from generator.errors import ConfigError, Problem

ENGLISH = "en"
DIR_KEY = "dir"  # not a word: the direction of the language's script
FOLDER = "translations"
# Languages whose usual script runs right to left (ISO 639 codes): Arabic, Hebrew (and
# its old code iw), Persian, Urdu, Pashto, Sindhi, Uyghur, Yiddish, Dhivehi, Central
# Kurdish, Kashmiri, Syriac, Aramaic, N'Ko, Balochi, Southern Azerbaijani, Mazanderani.
RTL_LANGUAGES = frozenset({"ar", "he", "iw", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "ks", "syr", "arc",
                           "nqo", "bal", "azb", "mzn"})
# ISO 15924 scripts written right to left, as a tag's script subtag names them.
RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg", "mand", "samr", "yezi"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholders(text: str) -> set[str]:
    """The names of the placeholders in `text` ("{name}" -> {"name"})."""
    return set(_PLACEHOLDER.findall(text))


def fill(text: str, values: dict[str, object]) -> str:
    """`text` with each placeholder replaced by its value, which is not read again:
    a display name holding "{name}" stays as written."""
    if "{" not in text:
        return text
    return _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def tag_direction(tag: str) -> str:
    """"rtl" or "ltr": the direction of the script the tag names, or of its language's usual one."""
    subtags = tag.lower().split("-")
    for subtag in subtags[1:]:
        if len(subtag) == 4 and subtag.isalpha():
            return "rtl" if subtag in RTL_SCRIPTS else "ltr"
    return "rtl" if subtags[0] in RTL_LANGUAGES else "ltr"


def lookup_candidates(tag: str) -> list[str]:
    """The tags whose files serve `tag`, most specific first (RFC 4647 lookup): "zh-Hant-TW",
    "zh-Hant", "zh"; a single-letter subtag (an extension) goes with the one after it."""
    subtags = tag.lower().split("-")
    candidates = []
    while subtags:
        candidates.append("-".join(subtags))
        subtags.pop()
        if subtags and len(subtags[-1]) == 1:
            subtags.pop()
    return candidates


@dataclass(frozen=True)
class Words:
    """One language's words, complete: every English key, in this language or in English."""

    tag: str                    # the tag of the file that holds them ("vi" for "vi-VN")
    dir: str                    # "ltr" or "rtl"
    text: dict[str, str]        # key -> words
    missing: tuple[str, ...]    # English keys this language lacks: they show in English
    unknown: tuple[str, ...]    # keys English lacks: a typo, or a key no template uses

    def say(self, key: str, **values: object) -> str:
        """The words of `key`, placeholders filled."""
        return fill(self.text[key], values)


class Catalog:
    """Every translation file of a site, read and checked once: `folders` as
    Config.translation_dirs gives them, the site's own first (its keys win)."""

    def __init__(self, folders: Sequence[Path]):
        # lowercase tag -> (tag as the file names it, files to merge: packaged first)
        self._files: dict[str, tuple[str, list[Path]]] = {}
        for folder in reversed(folders):
            for path in sorted(folder.glob("*.json")):
                if not LANGUAGE_TAG.fullmatch(path.stem):
                    raise ConfigError(f"{path}: {path.stem!r} is not a language tag; name translation files "
                                      "by their BCP 47 tag, such as vi.json or pt-BR.json")
                self._files.setdefault(path.stem.lower(), (path.stem, []))[1].append(path)
        if ENGLISH not in self._files:
            raise ConfigError(f"no {ENGLISH}.json in {', '.join(str(f) for f in folders) or 'any translations folder'}: "
                              "English is every other language's fallback; reinstall biogen")
        self._read = {key: [(path, _read(path)) for path in paths] for key, (_, paths) in self._files.items()}
        english_files = self._read[ENGLISH]
        # What placeholders a key may use: those of biogen's own English words (the code
        # fills those), or a site's for the keys only its own templates use.
        self._reference: dict[str, str] = {}
        for _, data in reversed(english_files):
            self._reference.update(data)
        self.english = {key: value for key, value in self._merged(ENGLISH).items() if key != DIR_KEY}
        for key, files in self._read.items():
            for path, data in files:
                _check_placeholders(path, data, self._reference)
        self._words: dict[str, Words] = {}

    @property
    def languages(self) -> list[str]:
        """Every tag with a file, as the files name them, sorted."""
        return sorted(name for name, _ in self._files.values())

    def resolve(self, tag: str) -> str | None:
        """The tag of the file that serves `tag` ("vi" for "vi-VN"), or None."""
        for candidate in lookup_candidates(tag):
            if candidate in self._files:
                return self._files[candidate][0]
        return None

    def words(self, tag: str) -> Words:
        """The words for `tag` (which must resolve), English where the language lacks a key."""
        name = self.resolve(tag)
        if name is None:
            raise ConfigError(self.unknown_language(tag))
        words = self._words.get(name)
        if words is None:
            own = self._merged(name.lower())
            direction = own.pop(DIR_KEY, None) or tag_direction(name)
            words = self._words[name] = Words(
                tag=name, dir=direction, text={**self.english, **own},
                missing=tuple(sorted(set(self.english) - set(own))),
                unknown=tuple(sorted(set(own) - set(self.english))))
        return words

    def unknown_language(self, tag: str) -> str:
        """Why `tag` cannot be used, and what can."""
        return (f"{tag!r} has no translation file; available: {', '.join(self.languages)} "
                f"(a site adds a language with {FOLDER}/<tag>.json, whose missing words show in English)")

    def _merged(self, key: str) -> dict[str, str]:
        merged: dict[str, str] = {}
        for _, data in self._read[key]:
            merged.update(data)
        return merged


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: not valid UTF-8 JSON ({error})") from None
    if not isinstance(data, dict):
        raise ConfigError(f'{path}: must be one JSON object of keys to words, such as {{"profile.links": "Links"}}')
    for key, value in data.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}: the value of {key!r} must be a string, not {json.dumps(value)[:40]}")
    if data.get(DIR_KEY, "ltr") not in ("ltr", "rtl"):
        raise ConfigError(f'{path}: "{DIR_KEY}" must be "ltr" or "rtl", not {data[DIR_KEY]!r}')
    return data


def _check_placeholders(path: Path, data: dict[str, str], reference: dict[str, str]) -> None:
    for key, value in data.items():
        unknown = placeholders(value) - placeholders(reference.get(key, value))
        if unknown:
            allowed = ", ".join(f"{{{name}}}" for name in sorted(placeholders(reference.get(key, "")))) or "none"
            raise ConfigError(f"{path}: {key!r} uses {', '.join(f'{{{n}}}' for n in sorted(unknown))}, "
                              f"which the page does not fill (allowed here: {allowed})")


def source_files(folders: Sequence[Path]) -> list[Path]:
    """Every translation file of the site, in merge order: what shapes the pages' words."""
    return [path for folder in reversed(folders) for path in sorted(folder.glob("*.json"))]


def site_language_words(catalog: Catalog, language: str) -> Words:
    """The words of biogen.toml's `language` (the 404 page, the directory, and every
    profile without a language of its own); a ConfigError when no file serves it."""
    if catalog.resolve(language) is None:
        raise ConfigError(f"biogen.toml: language {catalog.unknown_language(language)}")
    return catalog.words(language)


def check_site(config: Config) -> Catalog:
    """The site's translations, read and checked: a ConfigError names a broken file, or
    biogen.toml's language when no file serves it."""
    catalog = Catalog(config.translation_dirs)
    site_language_words(catalog, config.language)
    return catalog


def profile_language(profile: Profile) -> str | None:
    """The language the profile chose (profile_settings.language), or None for the site's."""
    settings = profile.settings
    return settings.language if settings is not None and settings.language is not None else None


def language_problems(profile: Profile, catalog: Catalog) -> list[Problem]:
    """Why the profile's chosen language cannot be used: not a tag, or no file serves it."""
    tag = profile_language(profile)
    if tag is None:
        return []
    if not isinstance(tag, str) or not LANGUAGE_TAG.fullmatch(tag):
        message = f"{tag!r} is not a language tag; use one such as {', '.join(catalog.languages)}, or NULL for the site's"
    elif catalog.resolve(tag) is None:
        message = catalog.unknown_language(tag)
    else:
        return []
    return [Problem(profile.username, "profile_settings", str(profile.id), "language", message)]


def missing_words_warnings(catalog: Catalog, tags: Sequence[str]) -> list[str]:
    """For each language in `tags` (which must resolve), the keys it lacks (shown in
    English) and those English lacks (unused): one warning a language."""
    warnings = []
    for name in sorted({catalog.resolve(tag) for tag in tags}):
        words = catalog.words(name)
        if words.missing:
            warnings.append(f"language {name!r}: {len(words.missing)} words missing, shown in English: "
                            f"{', '.join(words.missing)} (add them to {FOLDER}/{name}.json)")
        if words.unknown:
            warnings.append(f"language {name!r}: {FOLDER}/{name}.json has keys en.json lacks, which no page uses: "
                            f"{', '.join(words.unknown)}")
    return warnings
