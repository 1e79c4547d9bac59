"""Themes: the look each profile chose, as the one stylesheet its page loads.

A theme is a CSS file, `themes/<name>.css`: biogen's own (classic, minimal, bold) or a
site's, which also overrides a built-in one of the same name, as a site's templates/ and
assets/ do. The page's stylesheet is assets/style.css (the layout every theme shares),
then the theme, with the profile's accent and button shape written into the theme's
custom properties (`--a`, `--rd`). A profile without settings, or whose settings are all
the default look (classic, no accent, rounded), loads style.css, which is style.css and
classic.css already: exactly the page it had before themes existed. Any other look is a
file of its own, `assets/t/<hash>.css`, named by its content: one file per distinct
theme, accent and shape, whichever profiles use it. In that file style.css leaves out
the declarations its theme sets again for the same selectors (generator.build.overrides:
~120 bytes in minimal and bold), which could never apply.

Each theme says, in its first comment, where its accent carries text:

    accent-text-on: --bg --s2;   (custom properties of the backgrounds it is text on)
    text-on-accent: --on;        (custom properties of the text drawn on it)

and the build reads those properties' colours from the theme's `:root` block (the light
scheme) and its `@media (prefers-color-scheme:dark){:root{...}}` block. The profile's
accent is the light scheme's: where it carries text it must reach 4.5:1 (WCAG 2.1, SC
1.4.3), or the build refuses it and names the nearest shade of its hue that does. No
single colour can do the same on a dark page: text on #fff needs a relative luminance
of at most 0.18, text on classic's #0d0f16 at least 0.20. So the dark scheme shows the
nearest shade of the accent's hue that passes there (the accent itself when it does),
found the same way, as the built-in themes pair their own accents (classic: #5b45f5 in
light, #a99dff in dark).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from generator.build.colour import contrast_ratio, hex_colour, nearest_passing_shade, oklch, parse_hex
from generator.build.output import digest_bytes
from generator.build.overrides import without_overridden
from generator.build.sitefiles import STYLESHEET, base_stylesheet, hashed_assets, strip_css_comments
from generator.config import Config
from generator.errors import BuildError, Problem

DEFAULT_THEME = "classic"
BUILT_IN_THEMES = ("classic", "minimal", "bold")  # the files of themes/ that ship with biogen
# Where the stylesheets of themed pages go: under assets/, cached for a year (_headers).
SHEETS_DIR = "assets/t"
# WCAG 2.1 SC 1.4.3 (AA): text, at the sizes the themes use for accent-coloured text.
TEXT_CONTRAST = 4.5
# The button shape as the corner radius of cards and buttons (--rd). Rounded keeps the
# theme's own corners. A pill is 32 px rather than "fully round": a card one line tall
# (64 px) becomes a capsule, while the corners of a 160 px image card cut at most ~3 px
# into the 20 px of padding before its text; with 80 px corners they cut 30.
BUTTON_RADII = {"rounded": None, "pill": "32px", "square": "0"}
ACCENT_PROPERTY = "--a"
RADIUS_PROPERTY = "--rd"
BACKGROUND_PROPERTY = "--bg"
# As generator.data.profile_settings accepts a theme's name: a plain file name.
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_DECLARATION = re.compile(r"(accent-text-on|text-on-accent)\s*:\s*([^;]*);")
_DARK_MEDIA = "@media(prefers-color-scheme:dark)"


class Theme(NamedTuple):
    """One theme file, read and checked."""

    name: str
    path: Path
    css: str                                # as served: without comments
    light: dict[str, str]                   # custom properties of :root
    dark: dict[str, str]                    # of the dark :root, over the light ones
    blocks: tuple[tuple[int, int], ...]     # (start, end) of the light and dark :root declarations in css
    accent_text_on: tuple[str, ...]         # properties of the backgrounds the accent is text on
    text_on_accent: tuple[str, ...]         # properties of the text drawn on the accent

    def properties(self, scheme: str) -> dict[str, str]:
        return self.light if scheme == "light" else self.dark

    def colour(self, scheme: str, name: str) -> tuple[int, int, int]:
        """The colour of custom property `name` in `scheme` (checked when the theme was read)."""
        return parse_hex(self.properties(scheme)[name])


def theme_files(config: Config) -> dict[str, Path]:
    """Every theme by name: the site's own themes/ first, then biogen's."""
    files: dict[str, Path] = {}
    for folder in config.theme_dirs:
        for path in sorted(folder.glob("*.css")):
            files.setdefault(path.stem, path)
    return files


def load_themes(config: Config) -> dict[str, Theme]:
    """Every theme of the site, read and checked; a broken theme file stops the build."""
    themes = {}
    for name, path in theme_files(config).items():
        if not _NAME.fullmatch(name):
            raise BuildError(f"{_shown(path, config)}: a theme's file name is its name, in lowercase letters, "
                             "digits and '-' (such as themes/paper.css)")
        themes[name] = parse_theme(name, path.read_text(encoding="utf-8"), path, shown=_shown(path, config))
    return themes


def themes_and_assets(config: Config) -> tuple[dict[str, Theme], dict[str, tuple[str, bytes]]]:
    """The site's themes, and its assets (sitefiles.hashed_assets) with style.css followed
    by the default theme: what a page without a theme of its own loads."""
    themes = load_themes(config)
    return themes, hashed_assets(config, default_theme_css=themes[DEFAULT_THEME].css)


def _shown(path: Path, config: Config) -> str:
    try:
        return path.relative_to(config.site_dir).as_posix()
    except ValueError:
        return str(path)


def parse_theme(name: str, text: str, path: Path, *, shown: str | None = None) -> Theme:
    """A theme from its CSS; raises BuildError saying what the file lacks."""
    where = shown or str(path)
    first_comment = re.match(r"\s*/\*(.*?)\*/", text, re.DOTALL)
    declared = dict(_DECLARATION.findall(first_comment.group(1))) if first_comment else {}
    missing = [key for key in ("accent-text-on", "text-on-accent") if key not in declared]
    if missing:
        raise BuildError(f"{where}: its first comment must say where the accent carries text, for the contrast "
                         "check: 'accent-text-on: --bg --s2;' (the custom properties of the backgrounds it is "
                         "text on) and 'text-on-accent: --on;' (of the text drawn on it); missing: "
                         + ", ".join(missing))
    css = strip_css_comments(text)
    light_block, dark_block = _root_blocks(css, where)
    light = _declarations(css[slice(*light_block)])
    dark = {**light, **_declarations(css[slice(*dark_block)])}
    accent_text_on = tuple(declared["accent-text-on"].split())
    text_on_accent = tuple(declared["text-on-accent"].split())
    for scheme, properties in (("light", light), ("dark", dark)):
        for prop in (BACKGROUND_PROPERTY, ACCENT_PROPERTY, *accent_text_on, *text_on_accent):
            value = _resolved(properties, prop)
            if parse_hex(value) is None:
                raise BuildError(f"{where}: {prop} in the {scheme} scheme must be a colour written #rgb or #rrggbb "
                                 f"(the contrast check reads it), not {value!r}" if value is not None else
                                 f"{where}: sets no {prop} for the {scheme} scheme; a theme sets --bg, --a and the "
                                 "properties its first comment names, in :root and in "
                                 "@media (prefers-color-scheme:dark){:root{...}}")
            properties[prop] = value
    return Theme(name, path, css, light, dark, (light_block, dark_block), accent_text_on, text_on_accent)


def _resolved(properties: dict[str, str], name: str, depth: int = 0) -> str | None:
    """The value of `name`, following `var(--other)` (a theme may say --s:var(--bg))."""
    value = properties.get(name)
    match = re.fullmatch(r"var\((--[\w-]+)\)", value.strip()) if value else None
    if match and depth < 8:
        return _resolved(properties, match.group(1), depth + 1)
    return value.strip() if value else None


def _root_blocks(css: str, where: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """(start, end) of the declarations in the first top-level :root{} and in the first
    :root{} of @media (prefers-color-scheme:dark)."""
    light = dark = None
    open_blocks: list[tuple[str, int]] = []  # (prelude without white space, where its body starts)
    prelude_start = 0
    for index, char in enumerate(css):
        if char == "{":
            open_blocks.append((re.sub(r"\s+", "", css[prelude_start:index]), index + 1))
            prelude_start = index + 1
        elif char == "}":
            prelude, body_start = open_blocks.pop() if open_blocks else ("", 0)
            if prelude == ":root":
                outer = [outer_prelude for outer_prelude, _ in open_blocks]
                if not outer and light is None:
                    light = (body_start, index)
                elif outer == [_DARK_MEDIA] and dark is None:
                    dark = (body_start, index)
            prelude_start = index + 1
        elif char == ";":
            prelude_start = index + 1
    if light is None or dark is None:
        raise BuildError(f"{where}: a theme sets its light colours in :root{{...}} and its dark ones in "
                         "@media (prefers-color-scheme:dark){:root{...}}; the "
                         + ("light and dark ones are" if light is None and dark is None else
                            "dark one is" if light is not None else "light one is") + " missing")
    return light, dark


def _declarations(body: str) -> dict[str, str]:
    """The custom properties declared in a block's text."""
    properties = {}
    for declaration in body.split(";"):
        name, colon, value = declaration.partition(":")
        if colon and name.strip().startswith("--"):
            properties[name.strip()] = value.strip()
    return properties


def _with_values(body: str, values: dict[str, str]) -> str:
    """A block's declarations with `values` replacing those of the same names, and the
    ones it lacks appended."""
    declarations, seen = [], set()
    for declaration in body.split(";"):
        name = declaration.partition(":")[0].strip()
        if name in values:
            declaration, seen = f"{name}:{values[name]}", seen | {name}
        declarations.append(declaration)
    declarations = [d for d in declarations if d.strip()] + [f"{name}:{value}" for name, value in values.items()
                                                           if name not in seen]
    return ";".join(declarations)


def themed_css(theme: Theme, *, light: dict[str, str], dark: dict[str, str]) -> str:
    """The theme's CSS with custom properties replaced: `light` in :root (added when missing),
    `dark` in the dark :root (added when missing) and `light` there too where it sets them."""
    (light_start, light_end), (dark_start, dark_end) = theme.blocks
    css = theme.css
    dark_values = {**{name: value for name, value in light.items() if name in _declarations(css[dark_start:dark_end])},
                   **dark}
    css = css[:dark_start] + _with_values(css[dark_start:dark_end], dark_values) + css[dark_end:]
    return css[:light_start] + _with_values(css[light_start:light_end], light) + css[light_end:]


def _ratio_text(ratio: float) -> str:
    """A contrast ratio as WCAG writes it, never rounded up to a pass (4.497 is 4.49:1)."""
    return f"{int(ratio * 100) / 100:.2f}:1"


class _Pair(NamedTuple):
    role: str          # how the accent meets it: "as text on" or "under its text"
    prop: str
    colour: tuple[int, int, int]


def _pairs(theme: Theme, scheme: str) -> list[_Pair]:
    return ([_Pair("as text on", prop, theme.colour(scheme, prop)) for prop in theme.accent_text_on]
            + [_Pair("under its text", prop, theme.colour(scheme, prop)) for prop in theme.text_on_accent])


def _worst(accent, pairs: list[_Pair]) -> tuple[float, _Pair | None]:
    return min(((contrast_ratio(accent, pair.colour), pair) for pair in pairs), default=(21.0, None))


def accent_shades(theme: Theme, accent: tuple[int, int, int], written: str = "") -> tuple[tuple[int, int, int],
                                                                                         str | None]:
    """(the accent's shade for the dark scheme, why `accent` cannot be used in `theme`, or None).

    The accent is the light scheme's as written; the dark scheme gets the nearest shade of
    its hue that passes there (see the module's docstring). `written` is the accent as the
    database holds it, for the message."""
    written = written or hex_colour(accent)
    light_pairs, dark_pairs = _pairs(theme, "light"), _pairs(theme, "dark")
    ratio, pair = _worst(accent, light_pairs)
    dark = nearest_passing_shade(accent, lambda shade: _worst(shade, dark_pairs)[0], TEXT_CONTRAST)
    if ratio < TEXT_CONTRAST:
        where = f"{pair.role} {pair.prop} ({hex_colour(pair.colour)})"
        shade = nearest_passing_shade(accent, lambda shade: _worst(shade, light_pairs)[0], TEXT_CONTRAST)
        if shade is None:
            advice = "no shade of its hue passes in this theme; choose another colour or theme"
        else:
            advice = (f"the nearest shade of its hue that passes is {hex_colour(shade)} "
                      f"({_ratio_text(_worst(shade, light_pairs)[0])}; OKLCH lightness "
                      f"{oklch(shade)[0]:.2f} instead of {oklch(accent)[0]:.2f})")
        return accent, (f"{written} is {_ratio_text(ratio)} {where} in theme {theme.name!r}, light "
                        f"scheme, where it carries text; WCAG 2.1 asks {TEXT_CONTRAST}:1. {advice[0].upper()}{advice[1:]}")
    if dark is None:
        dark_ratio, dark_pair = _worst(accent, dark_pairs)
        return accent, (f"{written} is {_ratio_text(dark_ratio)} {dark_pair.role} {dark_pair.prop} "
                        f"({hex_colour(dark_pair.colour)}) in theme {theme.name!r}, dark scheme, and no shade of its "
                        f"hue reaches {TEXT_CONTRAST}:1 there; choose another colour or theme")
    return dark, None


def look_problems(profile, problems: list[tuple[str, str]], found: list[Problem]) -> list[Problem]:
    """`problems` (Looks.of's) as Problems of `profile`, but for the settings columns the
    data's rules (`found`: generator.data.validate) refused already: one message a column."""
    refused = {problem.column for problem in found if problem.table == "profile_settings"}
    return [Problem(profile.username, "profile_settings", profile.id, column, message)
            for column, message in problems if column not in refused]


class Look(NamedTuple):
    """What a page's <head> says about its look: its stylesheet and the browser's theme colours."""

    stylesheet: str     # the URL
    light: str          # --bg of the light scheme, for <meta name="theme-color">
    dark: str


class Sheet(NamedTuple):
    """A themed stylesheet as the output holds it."""

    path: str           # "assets/t/<hash>.css"
    css: bytes


class Looks:
    """Each profile's look, from its settings: the themes, the shared layout and the
    stylesheets made so far (one per distinct theme, accent and shape, per process)."""

    def __init__(self, themes: dict[str, Theme], config: Config, assets: dict[str, tuple[str, bytes]] | None = None):
        """`assets` as sitefiles.hashed_assets made them (None when no page is made)."""
        self.themes = themes
        self.base_css = base_stylesheet(config)
        default = themes[DEFAULT_THEME]
        self.default = Look("/" + assets[STYLESHEET][0] if assets else "", default.light[BACKGROUND_PROPERTY],
                            default.dark[BACKGROUND_PROPERTY])
        self._made: dict[tuple, tuple[Look, Sheet | None, list[tuple[str, str]]]] = {}
        self._shades: dict[tuple[str, str], tuple] = {}
        self._bases: dict[str, str] = {}  # theme name -> style.css without what it overrides

    def of(self, settings) -> tuple[Look, Sheet | None, list[tuple[str, str]]]:
        """(look, its stylesheet file or None for style.css, [(column, problem)]) for a
        profile's settings row (generator.data.model.ProfileSettings, or None)."""
        if settings is None:
            return self.default, None, []
        key = (settings.theme, settings.accent, settings.button_shape)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._make(*key)
        return made

    def _make(self, theme_name, accent, shape) -> tuple[Look, Sheet | None, list[tuple[str, str]]]:
        problems = []
        name = DEFAULT_THEME if theme_name is None else theme_name
        if name not in self.themes:
            problems.append(("theme", f"{name!r} is not a theme of this site; the themes are "
                                      f"{', '.join(sorted(self.themes))} (a site adds one as themes/<name>.css)"))
        colour = None if accent is None else parse_hex(accent)
        if accent is not None and colour is None:
            problems.append(("accent", f"{accent!r} is not a CSS hex colour; write it #rgb or #rrggbb, "
                                       "such as #5b45f5"))
        if shape is not None and shape not in BUTTON_RADII:
            problems.append(("button_shape", f"{shape!r} is not a button shape; use "
                                             f"{', '.join(BUTTON_RADII)} (the default is rounded)"))
        if problems:
            return self.default, None, problems
        radius = BUTTON_RADII[shape or "rounded"]
        if name == DEFAULT_THEME and colour is None and radius is None:
            return self.default, None, []
        theme = self.themes[name]
        light, dark = {}, {}
        if colour is not None:
            # ~1 ms each (the dark shade's search): once per theme and accent, whatever the shapes.
            shades = self._shades.get((name, accent))
            if shades is None:
                shades = self._shades[(name, accent)] = accent_shades(theme, colour, accent)
            dark_shade, problem = shades
            if problem:
                return self.default, None, [("accent", problem)]
            light[ACCENT_PROPERTY], dark[ACCENT_PROPERTY] = hex_colour(colour), hex_colour(dark_shade)
        if radius is not None:
            light[RADIUS_PROPERTY] = radius
        base = self._bases.get(name)
        if base is None:
            base = self._bases[name] = without_overridden(self.base_css, theme.css)
        css = (base + themed_css(theme, light=light, dark=dark)).encode()
        sheet = Sheet(f"{SHEETS_DIR}/{digest_bytes(css)[:10]}.css", css)
        return Look("/" + sheet.path, theme.light[BACKGROUND_PROPERTY], theme.dark[BACKGROUND_PROPERTY]), sheet, []
