"""The rules every profile must pass: usernames, URLs, image paths, required text, settings.

Pure functions: each takes a value and returns the problem as a sentence, or None.
`profile_problems()` applies them to a whole profile and locates each problem.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.errors import Problem
from generator.data.item_details import profile_item_problems
from generator.data.model import CHILDREN, Profile
from generator.data.domains import profile_domain_problems
from generator.data.profile_settings import row_problems

USERNAME_MAX = 253  # the longest domain name; the current site keys profiles by domain
_USERNAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?")

# Names biogen writes at the top of the site (index.html, 404.html, api/, assets/, page/
# for the directory's pages 2, 3, ...) or that Cloudflare Pages treats specially.
RESERVED_USERNAMES = frozenset({
    "index", "404", "api", "sitemap", "robots", "assets", "m", "media", "favicon", "manifest",
    "humans", "security.txt", "well-known", "functions", "cdn-cgi", "page",
})
# Pages strips .html (/a.html redirects to /a), and a page named robots.txt.html or
# sitemap.xml.html would be shadowed by the files biogen writes under those names;
# /ana.vcf is ana's contact card (generator.share.vcard), which a page named ana.vcf
# would meet at the same address.
_RESERVED_SUFFIXES = (".html", ".htm", ".xml", ".txt", ".vcf")

LINK_SCHEMES = frozenset({"https", "http", "mailto", "tel"})
IMAGE_SCHEMES = frozenset({"https", "http"})
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg"})

# What browsers drop or ignore while finding a URL's scheme: C0 controls, space,
# and the invisible characters that hide `javascript:` from a naive check.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u2060-\u2064\ufeff]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def username_problem(name: object) -> str | None:
    """Why `name` cannot be a username, or None."""
    if not isinstance(name, str) or not name:
        return "is empty; use lowercase letters, digits, '.', '-' or '_'"
    if len(name) > USERNAME_MAX:
        return f"is {len(name)} characters long; at most {USERNAME_MAX} are allowed"
    if not _USERNAME.fullmatch(name):
        return (f"{name!r} is not a valid username: use lowercase letters, digits, '.', '-' and '_', "
                "starting and ending with a letter or digit")
    if ".." in name:
        return f"{name!r} contains '..'"
    if name in RESERVED_USERNAMES or name.endswith(_RESERVED_SUFFIXES):
        return f"{name!r} is reserved for a file biogen writes at the top of the site; choose another name"
    return None


def _scheme_of(value: str) -> str | None:
    """The scheme a browser would see in `value` (lowercase), or None for a relative URL."""
    match = _SCHEME.match(_INVISIBLE.sub("", value).lower())
    return match.group(1) if match else None


def _hidden_scheme(value: str) -> str | None:
    """The scheme after decoding HTML entities, as a browser would in an attribute."""
    decoded = value
    for _ in range(3):  # nested entities such as &amp;#106; decode one level per pass
        decoded = html.unescape(decoded)
    return _scheme_of(decoded)


# A plain http(s) URL: the scheme is literal and the host is present, so none of the
# slower checks below can find anything. Most URLs take this path (~0.3 us against
# ~5 us for the full check, which at 24 URLs a profile is most of validation's time).
_PLAIN_HTTP = re.compile(r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?(?:[/?#][!-~]*)?")
# The same for links, which may also be plain mailto: and tel: addresses.
_PLAIN_LINK = re.compile(_PLAIN_HTTP.pattern + r"|(?:mailto|tel):[!-~]+")


def _plain_scheme(value: object) -> tuple[str | None, str | None]:
    """(why the URL's text is unusable or hides its scheme, or None; its scheme, or None)."""
    text_problem = _url_text_problem(value)
    if text_problem:
        return text_problem, None
    scheme, hidden = _scheme_of(value), _hidden_scheme(value)
    if hidden != scheme or (scheme and not value.lower().startswith(scheme + ":")):
        return "hides its scheme with entities, whitespace or invisible characters; write it plainly", None
    return None, scheme


def link_problem(value: object) -> str | None:
    """Why `value` cannot be a link's URL, or None."""
    if value.__class__ is str and _PLAIN_HTTP.fullmatch(value):
        return None
    problem, scheme = _plain_scheme(value)
    if problem:
        return problem
    if scheme is None:
        return f"{value!r} is not an absolute URL; links start with https://, http://, mailto: or tel:"
    if scheme not in LINK_SCHEMES:
        return f"the scheme {scheme!r} is not allowed; use https://, http://, mailto: or tel:"
    return _scheme_rest_problem(value, scheme)


def _scheme_rest_problem(value: str, scheme: str) -> str | None:
    if scheme in ("http", "https"):
        try:
            host = urlsplit(value).hostname
        except ValueError as error:
            return f"is not a valid URL ({error})"
        if not host or not value[len(scheme) + 1:].startswith("//"):
            return f"{value!r} has no host; write it as {scheme}://example.com/..."
        if "@" in urlsplit(value).netloc:
            # https://paypal.com@evil.example opens evil.example: a name before "@" is
            # a user name, which makes a link read as another site (and sends it on).
            return (f"{value!r} has a user name or password before '@' in its host part, which "
                    f"makes the link look like another site; write it as {scheme}://{host}/...")
        if any(char.isspace() for char in host) or _INVISIBLE.search(host):
            return f"{value!r} has spaces or invisible characters in its host name"
    elif len(value) <= len(scheme) + 1:
        return f"{value!r} has nothing after {scheme}:"
    return None


def _url_text_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"holds {type(value).__name__} data, not text"
    if not value.strip():
        return "is blank"
    if value != value.strip():
        return "starts or ends with whitespace; remove it"
    if _CONTROL.search(value) or "\n" in value or "\r" in value or "\t" in value:
        return "contains control characters (a tab, newline or invisible code); remove them"
    return None


def image_problem(value: object) -> str | None:
    """Why `value` cannot be an image source (URL or path under content/), or None."""
    if value.__class__ is str and _PLAIN_HTTP.fullmatch(value):
        return None
    problem, scheme = _plain_scheme(value)
    if problem:
        return problem
    if scheme is not None:
        if scheme not in IMAGE_SCHEMES:
            return f"the scheme {scheme!r} is not allowed for images; use https:// or a file under content/"
        return _scheme_rest_problem(value, scheme)
    if value.startswith("//"):
        return f"{value!r} is a protocol-relative URL; write https:{value}"
    return local_path_problem(value)


def local_image_path(value: str) -> str:
    """The path under content/ that a local image reference names (`/a.jpg` -> `a.jpg`)."""
    path = value.split("?", 1)[0].split("#", 1)[0]
    return unquote(path).lstrip("/")


def local_path_problem(value: str) -> str | None:
    """Why `value` cannot name a file under content/, or None."""
    path = local_image_path(value)
    if not path:
        return f"{value!r} names no file"
    if "\\" in path or _CONTROL.search(path) or "\x00" in path:
        return f"{value!r} contains backslashes or control characters; use '/' between folders"
    parts = path.split("/")
    if ".." in parts or posixpath.normpath(path).startswith(".."):
        return f"{value!r} escapes content/; images must be files inside content/"
    if posixpath.splitext(path)[1].lower() not in IMAGE_EXTENSIONS:
        return f"{value!r} is not an image file ({', '.join(sorted(IMAGE_EXTENSIONS))})"
    return None


def local_file_problem(value: str, content_dir: Path) -> str | None:
    """Why the local image `value` is not a readable file inside `content_dir`, or None."""
    root = content_dir.resolve()
    target = (root / local_image_path(value)).resolve()
    if not target.is_relative_to(root):
        return f"{value!r} leads outside content/ (through a symbolic link)"
    if not target.is_file():
        return f"the file content/{local_image_path(value)} does not exist; add it or fix the path"
    return None


def text_problem(value: object, *, required: bool) -> str | None:
    """Why `value` cannot be shown as text, or None (any script and emoji are fine)."""
    if value is None:
        return "is empty; it is required" if required else None
    if not isinstance(value, str):
        if isinstance(value, (int, float)):
            return None  # SQLite may store numbers in TEXT columns; they are shown as text
        return f"holds {type(value).__name__} data, not text"
    if required and not value.strip():
        return "is blank; it is required"
    return None


# (column, kind, required) per table; kinds: text, link, image.
RULES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "profiles": (("display_name", "text", True), ("tagline", "text", False),
                 ("avatar_url", "image", False), ("cover_url", "image", False)),
    "social_links": (("platform", "text", True), ("url", "link", True), ("icon", "text", False)),
    "bio_links": (("name", "text", True), ("url", "link", True), ("description", "text", False),
                  ("background_image", "image", False)),
    "products": (("name", "text", True), ("price", "text", True), ("image_url", "image", False),
                 ("url", "link", True)),
    "carousel_items": (("name", "text", True), ("logo_url", "image", False), ("url", "link", True)),
}


def value_problem(value: object, kind: str, required: bool) -> str | None:
    """Why one column's value breaks its rule, or None."""
    if kind == "text":
        return text_problem(value, required=required)
    if value is None or value == "":
        return "is empty; it is required" if required else None
    return link_problem(value) if kind == "link" else image_problem(value)


def profile_problems(profile: Profile, content_dir: Path | None = None) -> list[Problem]:
    """Every rule `profile` breaks, each located by table, row id and column."""
    if (_plainly_valid(profile) and not (profile.profile_settings and row_problems(profile.profile_settings[0]))
            and not profile.domains):
        return _item_problems(profile) if profile.item_details else []
    return _detailed_problems(profile, content_dir)


def _item_problems(profile: Profile) -> list[Problem]:
    name = profile.username if isinstance(profile.username, str) else repr(profile.username)
    return [Problem(name, "item_details", str(item_id), column, message)
            for item_id, column, message in profile_item_problems(profile, link_problem)]


def _detailed_problems(profile: Profile, content_dir: Path | None) -> list[Problem]:
    problems = []
    name = profile.username if isinstance(profile.username, str) else repr(profile.username)
    message = username_problem(profile.username)
    if message:
        problems.append(Problem(name, "profiles", str(profile.id), "username", message))
    _check_row(problems, name, "profiles", profile, [getattr(profile, c) for c in _PROFILE_COLUMNS], content_dir)
    for table, positions in _CHILD_POSITIONS:
        for row in getattr(profile, table):
            _check_row(problems, name, table, row, [row[i] for i in positions], content_dir)
    for row in profile.profile_settings:
        problems += [Problem(name, "profile_settings", str(row.profile_id), column,
                             f"{message} (or reset it: `biogen profile set {name} {column}=`)")
                     for column, message in row_problems(row)]
    problems += profile_domain_problems(profile, name)
    return problems + _item_problems(profile)


def _plainly_valid(profile: Profile) -> bool:
    """True when every value is of the common, obviously valid kind: plain http(s)
    URLs, required text present, optional text absent or text. One pass of C-level
    checks over the whole profile: ~20 us against ~45 us column by column; anything
    else (a local image, a mailto: link, a problem) gets the full check."""
    if username_problem(profile.username):
        return False
    social, links, products, tools = profile.social_links, profile.bio_links, profile.products, profile.carousel_items
    links_urls = [row.url for row in social] + [row.url for row in links] + [row.url for row in products]
    links_urls += [row.url for row in tools]
    urls = [value for value in (profile.avatar_url, profile.cover_url) if value is not None]
    urls += [row.background_image for row in links if row.background_image is not None]
    urls += [row.image_url for row in products if row.image_url is not None]
    urls += [row.logo_url for row in tools if row.logo_url is not None]
    required = [profile.display_name] + [row.platform for row in social] + [row.name for row in links]
    required += [row.name for row in products] + [row.price for row in products] + [row.name for row in tools]
    optional = [profile.tagline] + [row.icon for row in social] + [row.description for row in links]
    try:
        return (all(map(_PLAIN_LINK.fullmatch, links_urls)) and all(map(_PLAIN_HTTP.fullmatch, urls))
                and all(value.__class__ is str and not value.isspace() and value for value in required)
                and all(value is None or value.__class__ is str for value in optional))
    except TypeError:  # a URL column holding a number or bytes
        return False


def _check_row(problems: list[Problem], name: str, table: str, row, values: list, content_dir: Path | None) -> None:
    for (column, kind, required), value in zip(RULES[table], values):
        # The common cases first, without a call: ~40 us -> ~20 us a profile.
        if value.__class__ is str:
            if kind == "text":
                if not required or value.strip():
                    continue
            elif _PLAIN_HTTP.fullmatch(value):
                continue
        elif value is None and not required:
            continue
        message = value_problem(value, kind, required)
        if message is None and kind == "image" and value and content_dir is not None and _scheme_of(value) is None:
            message = local_file_problem(value, content_dir)
        if message:
            problems.append(Problem(name, table, str(row.id), column, message))


_PROFILE_COLUMNS = [column for column, _, _ in RULES["profiles"]]
_CHILD_POSITIONS = [
    (table, [row_type._fields.index(column) for column, _, _ in RULES[table]])
    for table, row_type in CHILDREN
]
