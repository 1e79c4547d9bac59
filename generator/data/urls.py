r"""URLs as a page writes them: percent-encoded the way a browser's URL serializer does.

The link rules (generator.data.validate) accept what a browser accepts, such as
`https://example.com/0?a=1&b="2"` or `https://bücher.example/café`; an `href` or
`src` must hold a valid URL (the Nu Html Checker: "Illegal character in query"),
so the page writes what the browser would make of it: `...?a=1&b=%222%22`,
`https://xn--bcher-kva.example/caf%C3%A9`. The JSON documents keep the stored
string exactly, as the Worker does.

The WHATWG URL standard's parser percent-encodes each component with its own set
(path, query, special-query, fragment, userinfo: https://url.spec.whatwg.org/#percent-encoded-bytes)
and maps a host through UTS #46 to its IDNA form; `href` does the same. It
also encodes the few characters that the serializer leaves as they are but a
valid URL string may not hold (`[ ] | \ ^ { }` and a backtick in a query or fragment, `[ ] |` in
a path, a `#` inside the fragment, a `%` not followed by two hex digits): servers
decode `%7B` and `{` to the same byte, so the link still goes to the same place.
What the serializer would merely normalize (the case of the scheme and host, a
default port, a missing `/` path, `..` segments) is left as written.
"""

from __future__ import annotations

import re

# A URL that is already a valid URL string needing no change: a lowercase scheme, a
# plain ASCII host, then only URL code points and % (checked for escapes apart), no '
# in the query and one # at most. Most URLs are of this kind: one match of character
# classes (~0.5 us for a 70-character URL; the parse takes ~5-10 us, and a pattern
# matching %XX inside the repetition took ~1.8 us).
_CODE_POINTS = r"A-Za-z0-9!$&()*+,\-./:;=@_~%"
_VALID_AS_IS = re.compile(
    r"(?:https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]*)?(?=[/?#]|\Z)|(?:mailto|tel):)"
    r"[" + _CODE_POINTS + r"']*(?:\?[" + _CODE_POINTS + r"?]*)?(?:#[" + _CODE_POINTS + r"?']*)?")
_BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")

SPECIAL_SCHEMES = frozenset({"http", "https"})  # of the standard's special schemes, the ones links may use
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

# What each component encodes, beyond C0 controls, DEL and every non-ASCII code point
# (which all components encode, as UTF-8). The standard's set, then what it leaves
# that no valid URL may hold.
_PATH = ' "<>`{}^' + "[]|"                   # path percent-encode set (? and # end the path)
_OPAQUE_PATH = _PATH + "\\"                  # mailto:, tel: (a backslash is no separator there)
_QUERY = ' "<>' + "[]|\\^`{}"                # query percent-encode set (# ends the query)
_SPECIAL_QUERY = _QUERY + "'"                # special-query percent-encode set (http, https)
_FRAGMENT = ' "<>`' + "[]|\\^{}#"            # fragment percent-encode set, and a second #
_USERINFO = ' "<>`{}?^' + "#/:;=@[\\]|"       # userinfo percent-encode set

_C0_WHITESPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_PERCENT_HEX = re.compile(r"%[0-9A-Fa-f]{2}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def href(url: str) -> str:
    """`url` as an `href` or `src` writes it: a valid URL that leads where `url` leads.

    http(s) URLs are parsed as the URL standard's parser does (a backslash is a
    slash, a Unicode host becomes its IDNA form); mailto: and tel: keep their text
    with the path set encoded. Escapes already valid (`%20`) are kept, never
    encoded twice. Anything else is returned as it is: another scheme or a relative
    URL (the link rules turn them away), or a URL no browser can parse (such as a
    host UTS #46 disallows), which leads nowhere however it is written.
    """
    if _VALID_AS_IS.fullmatch(url) and ("%" not in url or not _BARE_PERCENT.search(url)):
        return url
    return serialize(url)


def serialize(url: str) -> str:
    """href without its shortcut for URLs that need no change (the tests compare them)."""
    # The parser's first steps: strip leading and trailing C0 controls and spaces,
    # and drop tabs and newlines anywhere.
    url = _TAB_OR_NEWLINE.sub("", url.strip(_C0_WHITESPACE))
    match = _SCHEME.match(url)
    if not match:
        return url
    scheme = match.group()[:-1]
    rest = url[match.end():]
    if scheme.lower() in SPECIAL_SCHEMES:
        serialized = _special(scheme, rest)
        return url if serialized is None else serialized
    if scheme.lower() in ("mailto", "tel"):
        return scheme + ":" + _after_path(rest, _OPAQUE_PATH, _QUERY)
    return url


def _special(scheme: str, rest: str) -> str | None:
    """An http(s) URL after its `scheme:`, or None if a browser could not parse it."""
    rest = rest.lstrip("/\\")  # the standard skips any slashes and backslashes here
    end = len(rest)
    for stop in "/\\?#":
        found = rest.find(stop)
        if found != -1 and found < end:
            end = found
    authority, rest = rest[:end], rest[end:]
    userinfo, at, hostport = authority.rpartition("@")
    host, port = _host_and_port(hostport)
    host = _host(host)
    if host is None:
        return None
    if at:
        username, colon, password = userinfo.partition(":")
        userinfo = _encode(username, _USERINFO) + (":" + _encode(password, _USERINFO) if colon else "") + "@"
    return f"{scheme}://{userinfo}{host}{port}" + _after_path(rest, _PATH, _SPECIAL_QUERY, special=True)


def _host_and_port(hostport: str) -> tuple[str, str]:
    """(host, ":port" or "") of the part after the userinfo."""
    host, colon, port = hostport.rpartition(":")
    if colon and "]" not in port:
        return host, colon + port
    return hostport, ""


def _host(host: str) -> str | None:
    """The host as a valid URL writes it: ASCII as written; otherwise percent-decoded
    and mapped to its IDNA form (UTS #46, non-transitional, as browsers map it)."""
    if host.isascii() and "%" not in host:
        return host or None
    if "%" in host:
        from urllib.parse import unquote
        host = unquote(host, errors="replace")
    from idna import IDNAError, uts46_remap  # ~6 ms on first use, only for such hosts
    try:
        mapped = uts46_remap(host, std3_rules=False, transitional=False)
    except (IDNAError, UnicodeError, ValueError):
        return None
    try:
        labels = [label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
                  for label in mapped.split(".")]
    except UnicodeError:
        return None
    return ".".join(labels) or None


def _after_path(rest: str, path_set: str, query_set: str, *, special: bool = False) -> str:
    """The path, query and fragment of `rest`, each encoded with its set; in an
    http(s) path a backslash is a slash, as browsers read it."""
    rest, hash_, fragment = rest.partition("#")
    path, question, query = rest.partition("?")
    encoded = _encode(path.replace("\\", "/") if special else path, path_set)
    if question:
        encoded += "?" + _encode(query, query_set)
    if hash_:
        encoded += "#" + _encode(fragment, _FRAGMENT)
    return encoded


def _encode(text: str, extra: str) -> str:
    """`text` with every character of `extra`, every C0 control, DEL and non-ASCII
    character percent-encoded as UTF-8, and a `%` that starts no escape as `%25`."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)  # as the standard's UTF-8 encoder writes them
    out = []
    for index, char in enumerate(text):
        code = ord(char)
        if char == "%":
            out.append("%" if _PERCENT_HEX.match(text, index) else "%25")
        elif code <= 0x20 or code >= 0x7f or char in extra:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8")))
        else:
            out.append(char)
    return "".join(out)
