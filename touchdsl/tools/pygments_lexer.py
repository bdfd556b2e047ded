"""A Pygments lexer for `.touch` files, so docs and READMEs highlight touch code.

Registered through the `pygments.lexers` entry point (`touch`), which makes it
available to `pygmentize -l touch`, Sphinx, MkDocs and anything else that asks
Pygments by name or by the `*.touch` file pattern.

The lexer mirrors the lexical rules of `grammar/touch.lark` (literal kinds and
their priorities) but, unlike the parser, has no grammar context: a word is
shown as a keyword wherever it may be one. Declared names (after `owner`,
`step`, ...) are coloured as names even when they spell a keyword, because the
language allows `step notify`.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, default, words
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Literal,
    Name,
    Number,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from touchdsl.language import vocabulary
from touchdsl.model import CHANNELS, RECEIVER_KINDS, WEEKDAYS

__all__ = ["TouchLexer", "KEYWORDS", "DECLARATION_KEYWORDS", "BUILTINS"]

# The words come from the language's one table (touchdsl.language.vocabulary) and
# the model's fixed lists, so a new keyword is highlighted without touching this file.

# Words that open a declaration or a named item; the word after them is its name.
DECLARATION_KEYWORDS = vocabulary.NAMING_KEYWORDS
_TOP_LEVEL_NAMING = tuple(k.word for k in vocabulary.KEYWORDS if k.names and None in k.starts)
_NESTED_NAMING = tuple(w for w in DECLARATION_KEYWORDS if w not in _TOP_LEVEL_NAMING)
# Declarations whose keyword also refers to one inside a touchpoint (`owner field_ops`).
_REFERRING = tuple(k.word for k in vocabulary.KEYWORDS if k.names and None in k.starts and "touchpoint" in k.starts)

# Every other keyword of the grammar.
KEYWORDS = tuple(k.word for k in vocabulary.KEYWORDS if k.word not in DECLARATION_KEYWORDS)

# Fixed vocabularies the checker knows: channels, receivers, weekdays, escalation
# conditions, source systems and queries, settings. Shown as built-in names, not user names.
BUILTINS = tuple(dict.fromkeys(
    CHANNELS + RECEIVER_KINDS + WEEKDAYS + tuple(w for w in vocabulary.BUILTINS if w not in KEYWORDS)))

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_END = r"(?![A-Za-z0-9_])"


class TouchLexer(RegexLexer):
    """Lexer for the touch language (customer-service touchpoints, promises and targets)."""

    name = "Touch"
    aliases = ["touch", "touchdsl"]
    filenames = ["*.touch"]
    mimetypes = ["text/x-touch"]

    tokens = {
        "root": [
            (r"[ \t\f\r\n\ufeff]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"""', String.Double, "triple"),
            (r'"', String.Double, "string"),
            # `owner field_ops "Field Operations"`: a declaration with its name.
            (rf"({'|'.join(_TOP_LEVEL_NAMING)})([ \t]+)({_NAME})(?=[ \t]*\")",
             bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (rf"({'|'.join(_NESTED_NAMING)})([ \t]+)({_NAME})(?=[ \t]*\")",
             bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            # `owner field_ops` inside a touchpoint refers to a declaration.
            (rf"({'|'.join(_REFERRING)})([ \t]+)(?={_NAME})", bygroups(Keyword, Whitespace)),
            # `source prometheus {`: the system is a name, not a keyword.
            (rf"(source)([ \t]+)({_NAME})", bygroups(Keyword, Whitespace, Name.Builtin)),
            # Events: `report.start`, `report.answered`.
            (rf"({_NAME})(\.)(start|end){_END}", bygroups(Name, Punctuation, Name.Builtin)),
            (rf"({_NAME})(\.)({_NAME})", bygroups(Name, Punctuation, Name.Attribute)),
            (r"<[^<>\s\"]+>", String.Other),  # a manager's e-mail address
            # Literal priorities follow the grammar: date and time before number,
            # duration and percentage before a number followed by a word.
            (r"\d{4}-\d{2}-\d{2}", Literal.Date),
            (r"(\d{1,2}:\d{2})(-)(\d{1,2}:\d{2})", bygroups(Literal.Date, Punctuation, Literal.Date)),
            (r"\d{1,2}:\d{2}", Literal.Date),
            (rf"(\d+(?:\.\d+)?)(ms|s|m|h|d|w){_END}", bygroups(Number, Keyword.Type)),
            (r"(-?\d+(?:\.\d+)?)(%)", bygroups(Number, Keyword.Type)),
            (r"-?\d+\.\d+(?!\.)", Number.Float),
            (r"-?\d+", Number.Integer),
            (words(KEYWORDS, suffix=_END), Keyword),
            (words(DECLARATION_KEYWORDS, suffix=_END), Keyword.Declaration),
            (words(BUILTINS, suffix=_END), Name.Builtin),
            (_NAME, Name),
            (r"\.\.", Punctuation),
            (r"[{}.,\-]", Punctuation),
        ],
        "string": [
            (r'[^"\\\n]+', String.Double),
            (r'\\(?:["\\nt]|u\{[0-9A-Fa-f]{1,6}\})', String.Escape),
            (r"\\.", Error),  # not an escape the language knows
            (r'"', String.Double, "#pop"),
            # An unterminated string ends at the line break, as the parser sees it.
            (r"\n", Text, "#pop"),
            default("#pop"),
        ],
        "triple": [
            (r'[^"\\]+', String.Double),
            (r'\\(?:["\\nt]|u\{[0-9A-Fa-f]{1,6}\})', String.Escape),
            (r"\\.", Error),
            (r'"""', String.Double, "#pop"),
            (r'"', String.Double),
        ],
    }
