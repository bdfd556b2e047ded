"""Characters that change what people see without being seen (TD904, TD314).

Bidirectional overrides and isolates reorder the text around them (Trojan Source,
CVE-2021-42574), zero-width characters make two different texts look the same,
control characters make terminals and documents act instead of show. In text
(titles, notes, expectations, comments) they are reported as a warning: a reviewer
reading the file, or a customer reading the charter, may not see what is written.
In an address (an e-mail address, a webhook URL, a receiver's key, a contact's
number or URL) they are an error: alerts, or customers, would go somewhere other
than where the file seems to send them.

Names are ASCII by the grammar, so such a character where a name is expected is
already a syntax error (TD002).

Runs per file on the source text: a file without any such character and without a
`\\u{…}` escape (nearly every file) is passed over by one regular-expression scan.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Iterator

from touchdsl.diagnostics import DiagnosticSink, Span, visible_char
from touchdsl.language import ast
from touchdsl.model import CONTACT_KINDS

# Reported in text. Left out on purpose: the direction marks U+200E, U+200F and U+061C
# (Hebrew and Arabic text uses them to place punctuation; they reorder nothing else),
# the joiners U+200C and U+200D (needed by some scripts and by emoji), the soft hyphen.
_OVERRIDES = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u200b\u2060-\u2064\ufeff\u180e"
_TAGS = "\U000e0000-\U000e007f"  # a class of its own: mixed with the others it slows every scan fourfold
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
SUSPECT = re.compile(f"[{_OVERRIDES}{_INVISIBLE}{_CONTROLS}]|[{_TAGS}]")
_CONTROL = re.compile(f"[{_CONTROLS}]")
_SUSPECT_OR_BACKSLASH = re.compile(f"[{_OVERRIDES}{_INVISIBLE}{_CONTROLS}\\\\]|[{_TAGS}]")


def _worth_a_look(text: str) -> bool:
    """Does the file hold a suspect character or a `\\u{…}` escape? One scan of the text."""
    found = _SUSPECT_OR_BACKSLASH.search(text)
    if found is None:
        return False
    if found.group() != "\\":
        return True
    return "\\u{" in text or SUSPECT.search(text, found.end()) is not None


def _why(ch: str) -> str:
    if re.match(f"[{_OVERRIDES}]", ch):
        return "it changes the order in which the text around it is shown"
    if re.match(f"[{_INVISIBLE}]|[{_TAGS}]", ch):
        return "it is invisible, so two texts that look the same differ"
    return "it is a control character, which terminals and documents act on instead of showing"


def _forbidden_in_address(ch: str) -> bool:
    return bool(SUSPECT.match(ch)) or unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp") or (
        unicodedata.category(ch) == "Zs" and ch != " ")


def _addresses(tree: ast.File) -> Iterator[tuple[ast.Text | ast.Name, str]]:
    for decl in tree.declarations:
        if isinstance(decl, ast.OwnerDecl):
            for item in decl.items:
                if isinstance(item, ast.ManagerLine):
                    yield item.email, "the manager's e-mail address"
                elif isinstance(item, ast.ReceiverLine):
                    yield item.target, f"the {item.kind.value} receiver's address"
        elif isinstance(decl, ast.ProjectDecl):
            # A number, web or e-mail address customers use; a postal address is text.
            for item in decl.items:
                if isinstance(item, ast.ContactLine) and CONTACT_KINDS.get(item.channel.value) not in (None, "address"):
                    yield item.address, f"the {item.channel.value} contact"


def _texts(node: object) -> Iterator[ast.Text]:
    if isinstance(node, ast.Text):
        yield node
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _texts(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, (ast.Name, Span)):
        for f in dataclasses.fields(node):
            yield from _texts(getattr(node, f.name))


def check_source(text: str, tree: ast.File, sink: DiagnosticSink) -> None:
    if not _worth_a_look(text):
        return
    addresses = {id(node): what for node, what in _addresses(tree)}
    for node, what in _addresses(tree):
        bad = next((ch for ch in node.value if _forbidden_in_address(ch)), None)
        if bad is not None:
            sink.error("TD314", f"{what} contains {visible_char(bad)}; {_why(bad)}", node.span,
                       help=["retype it: an invisible or control character makes it lead somewhere other "
                             "than it seems to"])
    for decl in tree.declarations:
        if isinstance(decl, ast.ImportDecl):
            continue  # an import path is a file name: TD103
        for literal in _texts(decl):
            if id(literal) in addresses:
                continue
            # Written as it is, it hides in the editor; written as an escape it is meant,
            # except a control character, which no published text needs.
            found = SUSPECT.search(literal.raw) or _CONTROL.search(literal.value)
            if found:
                ch = found.group()
                sink.warning("TD904", f"the text contains {visible_char(ch)}; {_why(ch)}", literal.span,
                             help=["remove it: no published text needs a control character"]
                             if _CONTROL.match(ch) else
                             ["remove it; if it is meant, write it as an escape (`\\u{" + f"{ord(ch):04X}" + "}`) "
                              "so readers see it; for the direction of Hebrew or Arabic punctuation, U+200F "
                              "(RIGHT-TO-LEFT MARK) reorders nothing else"])
    for comment in tree.comments:
        found = SUSPECT.search(comment.text)
        if found:
            ch = found.group()
            span = Span.point(comment.span.file, comment.span.line, comment.span.column + found.start())
            sink.warning("TD904", f"a comment contains {visible_char(ch)}; {_why(ch)}", span,
                         help=["remove it: in an editor it can make the code around it read differently "
                               "from what the compiler reads"])
