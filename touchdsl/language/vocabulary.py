"""The words of the touch language, each once, with what it means.

One table feeds everything that knows the language's words: the parser (where it
may resume after a syntax error, how it names what it expected), the language
server (completion per block, hover), the Pygments lexer, and the tests that hold
`grammar/touch.lark` and the VS Code grammar to it. The grammar decides where a
word is a keyword; this table says what it means and where a statement may start
with it. A test fails when a keyword of the grammar is missing here or a word here
is not in the grammar.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BLOCKS",
    "BUILTINS",
    "DECLARATION_KEYWORDS",
    "KEYWORDS",
    "MEANT",
    "NAMING_KEYWORDS",
    "RESYNC_WORDS",
    "TERMINAL_WORDS",
    "Keyword",
    "block_keywords",
    "help_for",
]


@dataclass(frozen=True)
class Keyword:
    """A keyword of the grammar.

    `starts` lists the blocks in which a statement begins with the word (None is
    the top level of a file); an empty tuple means it only continues a statement.
    `declaration`: it opens a declaration, so finding it where a `}` was due
    suggests the block before lost its brace. `names`: the word after it is the
    name of something new (`owner field_ops`, `step report`).
    """

    word: str
    help: str
    starts: tuple[str | None, ...] = ()
    declaration: bool = False
    names: bool = False


# Block kinds are the keywords that open them; `source` is a block of queries.
BLOCKS: tuple[str | None, ...] = (None, "project", "calendar", "owner", "journey", "defaults", "touchpoint", "metric", "source")

KEYWORDS: tuple[Keyword, ...] = (
    # declarations at the top level of a file
    Keyword("import", "import another file of the project (path relative to this file)",
            (None,), declaration=True),
    Keyword("project", "the project and the organisation it speaks for: `project \"Good Health\"`; its folder "
            "is the project root, its name heads the charter, its block lists contact points",
            (None,), declaration=True),
    Keyword("calendar", "a business-hours clock: timezone, hours, holidays, closed dates",
            (None,), declaration=True, names=True),
    Keyword("owner", "a unit accountable for touchpoints, with its manager and alert receivers; "
            "inside a touchpoint: `owner NAME`, the one accountable unit",
            (None, "touchpoint"), declaration=True, names=True),
    Keyword("journey", "a customer journey and its stages; inside a touchpoint: `journey NAME.STAGE`",
            (None, "touchpoint"), declaration=True, names=True),
    Keyword("defaults", "project-wide defaults: window, charter language, the evidence alerts need", (None,),
            declaration=True),
    Keyword("touchpoint", "a moment the customer meets the company: expectation, steps, metrics, one owner",
            (None,), declaration=True, names=True),
    # the project
    Keyword("contact", "how customers reach you on a channel, printed in the charter: "
            "`contact phone \"+972 3-555-0100\"`, `contact web \"https://…\"`, `contact mail \"P.O. Box …\"`",
            ("project",)),
    # calendars
    Keyword("timezone", "IANA time zone of the calendar, e.g. \"Asia/Jerusalem\"", ("calendar",)),
    Keyword("hours", "opening hours: `hours sun-thu 08:00-18:00`, `hours eve 08:00-12:00` (eves of holidays), "
            "`hours 2026-09-20 08:00-12:00` (one date)", ("calendar",)),
    Keyword("eve", "the eves of holidays, which the calendar's countries decide: `hours eve 08:00-12:00`"),
    Keyword("holidays", "public holidays of a country (ISO 3166 code): `holidays \"IL\"`", ("calendar",)),
    Keyword("closed", "extra closed dates: `closed 2026-09-21`", ("calendar",)),
    # owners
    Keyword("manager", "the accountable manager: `manager \"Name\" <email>`", ("owner",)),
    Keyword("notify", "where warnings and tickets go: `notify email \"team@example.com\"`", ("owner",)),
    Keyword("page", "where urgent alerts go: `page pagerduty \"service-key\"`", ("owner",)),
    # journeys and defaults
    Keyword("stage", "a stage of the journey: `stage support \"Getting help\"`", ("journey",), names=True),
    Keyword("charter", "charter settings: `charter language \"he\"`, `title`, `intro`, `version \"2026.1\"`, "
            "`effective 2026-01-01`", ("defaults",)),
    Keyword("alerts", "the evidence an alert needs: `alerts need 20 events` in its window before it judges a "
            "share, an average or a pace (default 10); fewer late cases are a ticket, not a page", ("defaults",)),
    Keyword("need", "in `alerts need 20 events`: the events an alert needs in its window"),
    Keyword("events", "in `alerts need 20 events`: cases, answers or counted events"),
    # touchpoints
    Keyword("expectation", "what the customer expects, in the customer's words", ("touchpoint",)),
    Keyword("channels", "channels the customer uses: `channels phone, app`", ("touchpoint",)),
    Keyword("step", "a step, in order: `step name \"Title\" by OWNER via CHANNEL`", ("touchpoint",), names=True),
    Keyword("by", "the unit that performs the step (any declared owner; it does not make that unit "
            "accountable)"),
    Keyword("via", "the channel through which the customer meets this step or gets updates"),
    Keyword("metric", "a metric with its promise (published) and target (internal)",
            ("touchpoint",), declaration=True, names=True),
    Keyword("class", "a class of case with its own promises: `class dangerous \"Dangerous pothole\"`",
            ("touchpoint",), names=True),
    Keyword("for", "the classes an objective is for: `promise 95% within 24h for dangerous`"),
    Keyword("updates", "how often the customer is updated: `updates every 4h via sms until step.end`",
            ("touchpoint",)),
    Keyword("every", "the interval of updates: `updates every 4h`"),
    Keyword("until", "the event after which updates stop"),
    Keyword("escalate", "who is told: `escalate to manager on breach`", ("touchpoint",)),
    Keyword("to", "whom an escalation reaches, or the event that ends a `time` metric"),
    Keyword("on", "when an escalation fires (`on breach, risk`), or the calendar of a `time` metric"),
    # metrics
    Keyword("time", "elapsed time: `time from step.start to step.end [on CALENDAR]`", ("metric",)),
    Keyword("from", "the event that starts a `time` metric's clock, or a pause: `pause from A to B`"),
    Keyword("ratio", "share of cases: `ratio abandoned of offered`", ("metric",)),
    Keyword("of", "the cases a `ratio` counts among: `ratio abandoned of offered`"),
    Keyword("score", "survey answers on a scale: `score 1..5`", ("metric",)),
    Keyword("nps", "net promoter score from 0..10 answers", ("metric",)),
    Keyword("count", "volume: `count complaints per 7d`", ("metric",)),
    Keyword("per", "the period a `count` is taken over: `per 7d`"),
    Keyword("promise", "the objective published to customers", ("metric",)),
    Keyword("target", "the internal objective alerts use (as strict as the promise or stricter)", ("metric",)),
    Keyword("within", "the time limit of a `time` objective: `80% within 30s`, `90% within 5 business days`"),
    Keyword("business", "business days or weeks, by the metric's calendar: `within 5 business days` is by the "
            "close of the fifth day the calendar is open after the case starts"),
    Keyword("day", "one business day: `within 1 business day`"),
    Keyword("days", "business days: `within 5 business days`"),
    Keyword("week", "one business week (as many business days as the calendar's week has open days)"),
    Keyword("weeks", "business weeks: `within 2 business weeks`"),
    Keyword("pause", "the clock of a `time` metric stops while the case waits: `pause while STEP` or "
            "`pause from A to B`", ("metric",)),
    Keyword("while", "the step during which a `time` metric's clock stops: `pause while documents`"),
    Keyword("at", "a bound of an objective: `at least 70%`, `at most 5%`"),
    Keyword("most", "an upper bound: `at most 5%`"),
    Keyword("least", "a lower bound: `at least 70%`, `average at least 4.3`"),
    Keyword("average", "the mean answer of a `score` metric: `average at least 4.3`"),
    Keyword("window", "rolling window of the objectives: `window 28d`", ("defaults", "metric")),
    Keyword("compensation", "what the customer gets when this promise is not kept for them, printed in the "
            "charter: `compensation \"A credit of 50 NIS on your next bill\"`", ("metric",)),
    Keyword("source", "your own queries: `source prometheus { good \"...\" total \"...\" }`", ("metric",)),
    # anywhere a note or tags fit
    Keyword("note", "free text shown in the policy document", ("calendar", "owner", "journey", "touchpoint", "metric")),
    Keyword("tags", "labels: `tags \"a\", \"b\"`", ("calendar", "owner", "journey", "touchpoint", "metric")),
)

_BY_WORD = {k.word: k for k in KEYWORDS}

# Names with a fixed meaning in one place (not keywords: the grammar reads them as
# names, and the checker knows them). Shown as built-ins by highlighters; the
# fixed lists of channels, receivers and weekdays live in touchdsl.model.
BUILTINS: dict[str, str] = {
    "good": "the query counting good events",
    "total": "the query counting all events",
    "prometheus": "the system a `source` block queries",
    "language": "the language of the charter: \"he\" or \"en\"",
    "version": "the charter's version, printed under its heading: `charter version \"2026.1\"`",
    "effective": "the date the charter takes effect: `charter effective 2026-01-01`",
    "breach": "escalate when the promise is broken or being broken: the alerts that page",
    "risk": "escalate on every alert, the target's early warnings (tickets) too",
}

# Words people write, from other tools or plain English, for one of ours: a syntax
# error on one of them suggests the keyword (`country "IL"` -> `holidays`), where
# spelling alone would not find it.
MEANT: dict[str, str] = {
    "country": "holidays",
    "holiday": "holidays",
    "tz": "timezone",
    "zone": "timezone",
    "time_zone": "timezone",
    "opening": "hours",
    "open": "hours",
    "closed_on": "closed",
    "goal": "target",
    "slo": "target",
    "sla": "promise",
    "commitment": "promise",
    "responsible": "owner",
    "accountable": "owner",
    "description": "note",
    "labels": "tags",
}

# Completion's fixed words inside blocks that are not keywords (`source { good … }`).
_BLOCK_NAMES: dict[str | None, tuple[str, ...]] = {"source": ("good", "total")}

# Literal kinds in plain words, for "expected …" in syntax errors.
TERMINAL_WORDS: dict[str, str] = {
    "NAME": "a name such as `field_ops`",
    "STRING": 'a quoted text such as "Field Operations"',
    "DURATION": "a duration such as 30s or 48h",
    "PERCENT": "a percentage such as 80%",
    "NUMBER": "a number such as 4.3",
    "DATE": "a date such as 2026-09-21",
    "TIME": "a time of day such as 08:00",
    "EMAIL": "an email address in angle brackets such as <dana.levi@example.com>",
    "$END": "the end of the file",
}

# Where the parser may resume after a syntax error: a word that starts a statement
# (at the start of a line), or a `}`.
RESYNC_WORDS: frozenset[str] = frozenset({k.word for k in KEYWORDS if k.starts} | {"}"})
DECLARATION_KEYWORDS: frozenset[str] = frozenset(k.word for k in KEYWORDS if k.declaration)
NAMING_KEYWORDS: tuple[str, ...] = tuple(k.word for k in KEYWORDS if k.names)


def block_keywords(block: str | None) -> tuple[str, ...]:
    """The words a statement may start with inside `block` (None: the top level), in table order."""
    return tuple(k.word for k in KEYWORDS if block in k.starts) + _BLOCK_NAMES.get(block, ())


def help_for(word: str) -> str | None:
    """What a keyword (or a built-in name) means, in one line."""
    keyword = _BY_WORD.get(word)
    if keyword is not None:
        return keyword.help
    return BUILTINS.get(word)
