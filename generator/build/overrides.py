"""style.css without what a theme overrides: the layout's declarations that can never win.

A themed page loads style.css (the layout every theme shares) and then its theme in one
file (generator.build.themes). Where the theme's rule has the very selector of a layout
rule and sets the same property, top-level or in the same @media, the layout's
declaration loses on every element it matches (same specificity, earlier), so the file
need not carry it: bold sets the cover's height, margin and corners and the h1's size
again, minimal the identity's and the social row's alignment and the section headings'
weight, spacing and case (~100 bytes of each theme's file, whose page has 16 KB for its
HTML and CSS with the full demo profile: tests/test_quality.py). What is dropped:

- a declaration, when the theme overrides it for every selector of its rule;
- a selector of a list, when the theme overrides every declaration of the rule for it;
- a rule or an @media left empty.

Only exact matches count (the same selector text, the same property name, no shorthand
reasoning), never a layout declaration marked !important, and never anything of the
theme itself: a theme that wants a fallback for an older browser (`display:x;display:y`)
keeps both. The computed style of every element is the same, in every state (:hover,
:focus-visible, the dark scheme, right to left), since nothing that could win is dropped.
"""

from __future__ import annotations

from typing import NamedTuple


class Rule(NamedTuple):
    media: str | None                 # the @media prelude around the rule ("@media(min-width:720px)"), or None
    selectors: list[str]
    declarations: list[str]           # "property:value", as written


def parse_rules(css: str) -> list[tuple[str, str | list]] | None:
    """A comment-free stylesheet as [(prelude, body)]: a rule's body is its declarations'
    text, an @media's a list of rules. None for what this reader does not follow (nesting
    deeper than one @media, an at-rule without a block, an unbalanced brace)."""
    items: list[tuple[str, str | list]] = []
    stack: list[tuple[str, list]] = []
    start, index, quote = 0, 0, ""
    while index < len(css):
        char = css[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            prelude = css[start:index].strip()
            if prelude.startswith("@"):
                if stack or not prelude.startswith("@media"):
                    return None
                stack.append((prelude, []))
                start = index + 1
            else:
                end = _block_end(css, index + 1)
                if end is None:
                    return None
                (stack[-1][1] if stack else items).append((prelude, css[index + 1:end]))
                start = index = end + 1
                continue
        elif char == "}":
            if not stack or css[start:index].strip():
                return None
            prelude, rules = stack.pop()
            items.append((prelude, rules))
            start = index + 1
        elif char == ";" and css[start:index].lstrip().startswith("@"):
            return None  # @import, @charset, @layer a; ...
        index += 1
    return None if stack or css[start:].strip() else items


def _block_end(css: str, index: int) -> int | None:
    """Where a rule's declarations end (its "}"), past strings; None for a nested block."""
    quote = ""
    while index < len(css):
        char = css[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            return None
        elif char == "}":
            return index
        index += 1
    return None


def _split(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside strings and brackets, each part stripped."""
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(text):
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def media_prelude(prelude: str) -> str:
    """An @media prelude as compared and written: "@media (x)" is "@media(x)" (a byte less)."""
    rest = prelude[len("@media"):].lstrip()
    return "@media" + rest if prelude.startswith("@media") and rest.startswith("(") else prelude


def rules_of(css: str) -> list[Rule] | None:
    """Every style rule of a comment-free stylesheet, with its @media; None as parse_rules."""
    items = parse_rules(css)
    if items is None:
        return None
    rules = []
    for prelude, body in items:
        for media, (selectors, declarations) in ([(media_prelude(prelude), rule) for rule in body]
                                                 if isinstance(body, list) else [(None, (prelude, body))]):
            rules.append(Rule(media, _split(selectors, ","), _split(declarations, ";")))
    return rules


def _property(declaration: str) -> str:
    return declaration.partition(":")[0].strip().lower()


def without_overridden(base: str, theme: str) -> str:
    """`base` (style.css as served) without the declarations `theme` overrides (see the
    module's docstring); `base` itself when nothing is, or when either is CSS this reader
    does not follow."""
    base_rules, theme_rules = rules_of(base), rules_of(theme)
    if base_rules is None or theme_rules is None:
        return base
    overridden: dict[tuple[str | None, str], set[str]] = {}
    for rule in theme_rules:
        for selector in rule.selectors:
            overridden.setdefault((rule.media, selector), set()).update(map(_property, rule.declarations))

    def dead(media: str | None, selector: str, declaration: str) -> bool:
        name = _property(declaration)
        return "!important" not in declaration.replace(" ", "").lower() and (
            name in overridden.get((None, selector), ()) or
            (media is not None and name in overridden.get((media, selector), ())))

    kept: list[Rule] = []
    changed = False
    for rule in base_rules:
        selectors = [s for s in rule.selectors if not all(dead(rule.media, s, d) for d in rule.declarations)]
        declarations = [d for d in rule.declarations if not all(dead(rule.media, s, d) for s in selectors)]
        if selectors != rule.selectors or declarations != rule.declarations:
            changed = True
        if selectors and declarations:
            kept.append(Rule(rule.media, selectors, declarations))
    return _written(kept) if changed else base


def _written(rules: list[Rule]) -> str:
    """Rules as minified CSS, consecutive rules of one @media in one block."""
    parts: list[str] = []
    open_media = None
    for rule in rules:
        if rule.media != open_media:
            if open_media is not None:
                parts.append("}")
            if rule.media is not None:
                parts.append(rule.media + "{")
            open_media = rule.media
        parts.append(",".join(rule.selectors) + "{" + ";".join(rule.declarations) + "}")
    if open_media is not None:
        parts.append("}")
    return "".join(parts)
