"""Addresses a project or a build option names: e-mail addresses, http(s) URLs,
`host:port`. One rule each, used by the checker (receivers, managers) and by the
`--set` option registry, so what `check` accepts is what every target can write.

Each function returns why the text is not acceptable, in words, or None.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
_LOCAL_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\".]+")
# Go's url.Parse (which Alertmanager uses) rejects a `%` not followed by two hex
# digits in the path and the fragment; it leaves the query alone.
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_PORT = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(?P<port>[0-9]{1,5})")


def _control(text: str) -> bool:
    return any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in text)


def email_problem(text: str, *, local_host: bool = False) -> str | None:
    """`name@example.com`: one `@`, a dot in the domain, no spaces, quotes or brackets.
    `local_host` also accepts a machine's own name (`alertmanager@localhost`), as a
    sender address may be."""
    if _control(text):
        return "it contains a line break or a control character"
    if not (_EMAIL.fullmatch(text) or (local_host and _LOCAL_EMAIL.fullmatch(text))):
        return "it is not an e-mail address"
    return None


def http_url_problem(url: str) -> str | None:
    """An absolute http(s) URL that Alertmanager's URL type accepts: Go's `url.Parse`
    (whose rules for the user, host, port, path and fragment are followed here), an
    http or https scheme and a host. Anything else would make a configuration that
    carries it unloadable. Invisible and control characters are refused outright."""
    if not url.isprintable():
        return "it contains a line break or an invisible or control character"
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed `[` of an IPv6 host
        return f"it cannot be read as a URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "it is not an http:// or https:// address"
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if at:
        if not set(userinfo) <= _USERINFO_CHARS or _BAD_ESCAPE.search(userinfo):
            return "the part before `@` has characters a URL cannot carry there"
    problem = _host_port_problem(hostport)
    if problem:
        return problem
    if _BAD_ESCAPE.search(parts.path) or _BAD_ESCAPE.search(parts.fragment):
        return "a `%` in its path is not followed by two hex digits (write `%25` for a percent sign)"
    return None


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_USERINFO_CHARS = _ALNUM | frozenset("-._:~!$&'()*+,;=%@")
# ASCII characters Go allows unescaped in a host name; any non-ASCII character is allowed.
_HOST_CHARS = _ALNUM | frozenset("-_.~!$&'()*+,;=:[]<>\"")
_PORT = re.compile(r"(?::[0-9]*)?")
# In a host, `%` escapes only non-ASCII bytes (and `%25` starts an IPv6 zone).
_HOST_ESCAPE = re.compile(r"%(?:25|[89A-Fa-f][0-9A-Fa-f])")


def _host_port_problem(hostport: str) -> str | None:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            return "its IPv6 host has no closing `]`"
        host, port = hostport[: end + 1], hostport[end + 1:]
        if port and not port.startswith(":"):
            return f"its IPv6 host is followed by `{port}`, not by `:PORT`"
    else:
        colon = hostport.rfind(":")
        host, port = (hostport[:colon], hostport[colon:]) if colon >= 0 else (hostport, "")
    if not _PORT.fullmatch(port) or (len(port) > 1 and not 0 < int(port[1:]) < 65536):
        return f"its port `{port[1:]}` is not a number from 1 to 65535"
    if not host.strip("[]"):
        return "it has no host"
    if any(c.isspace() for c in host):
        return "its host contains a space"
    for i, c in enumerate(host):
        if c == "%":
            if not _HOST_ESCAPE.match(host, i):
                return "a `%` in its host does not escape a non-ASCII character"
        elif ord(c) < 0x80 and c not in _HOST_CHARS:
            return f"its host contains the character {c!r}, which a host name cannot"
    return None


def link_problem(url: str) -> str | None:
    """Where a document links to: an http(s) URL, or a relative path such as
    `../policy`. Any other scheme (`javascript:`, `data:`, `file:`) is refused,
    as it would run or read something where the link is followed."""
    if _control(url):
        return "it contains a line break or a control character"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"it cannot be read as a URL ({exc})"
    if parts.scheme or url.startswith("//"):
        return http_url_problem(url)
    return None


def one_line_problem(text: str) -> str | None:
    """Any text written into a configuration on one line: not empty, no line break or
    control character (which could end the value and start another)."""
    if not text.strip():
        return "it is empty"
    if _control(text):
        return "it contains a line break or a control character"
    return None


def host_port_problem(text: str) -> str | None:
    """`host:port`, as an SMTP relay is named (`mail.example.com:587`, `[::1]:25`)."""
    if _control(text):
        return "it contains a line break or a control character"
    m = _HOST_PORT.fullmatch(text)
    if m is None:
        return "it is not host:port (e.g. mail.example.com:587)"
    if not 0 < int(m.group("port")) < 65536:
        return "its port is not between 1 and 65535"
    return None
