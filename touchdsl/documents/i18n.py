"""Message catalogues of the published documents (charter and policy), in `he` and `en`.

The catalogues are gettext `.po` files under `touchdsl/documents/locale/<lang>/LC_MESSAGES/`,
kept in git as the reviewable source. They are compiled in memory with Babel the
first time a language is used, so no opaque `.mo` binary is committed and a
catalogue edit takes effect without a build step. English is the source language:
an untranslated English entry falls back to its msgid.

Hebrew has three plural forms for the nouns the documents count (one, two, other):
`שעה אחת`, `שעתיים`, `5 שעות`; its catalogue declares them in its own header
because the Plural-Forms table shipped with Babel gives Hebrew only two.

Regenerate the template and merge new messages into both catalogues with
`.venv/bin/python -m touchdsl.documents.i18n` (Babel's extract and update).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.messages.catalog import Catalog
from babel.support import Translations

if TYPE_CHECKING:
    import jinja2

DOMAIN = "touchdsl"
LANGUAGES: tuple[str, ...] = ("en", "he")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR / "targets" / "templates"

# Sources that hold translatable text, for `pybabel extract`-style extraction.
SOURCES: tuple[tuple[str, str], ...] = (
    ("documents/wording.py", "python"),
    ("targets/charter.py", "python"),
    ("targets/policy.py", "python"),
    ("targets/templates/charter/**.j2", "jinja2"),
    ("targets/templates/policy/**.j2", "jinja2"),
    ("measure/report/page.py", "python"),
    ("measure/report/templates/**.j2", "jinja2"),
)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=None)
def catalog(lang: str) -> Catalog:
    """The parsed `.po` catalogue of `lang` (a `babel.messages.Catalog`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no message catalogue for language {lang!r}")
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> Translations:
    """gettext translations for `lang`, compiled from its `.po` source in memory."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog(lang))
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def extract() -> Catalog:
    """Every translatable message in the sources, as a Babel catalogue (the `.pot`)."""
    from babel.messages.extract import extract_from_dir

    package = PACKAGE_DIR
    method_map = [(pattern, method) for pattern, method in SOURCES]
    options = {"**.j2": {"extensions": "jinja2.ext.i18n"}}
    import datetime

    # A fixed date keeps `.po` headers unchanged by a re-run, so diffs show only messages.
    fixed = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    template = Catalog(domain=DOMAIN, project="touchdsl", fuzzy=False, creation_date=fixed)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(package), method_map, options_map=options, keywords=_KEYWORDS, comment_tags=("Translators:",)
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


# Babel's default keywords; `wording.Words` names its look-ups the same, so
# `words.gettext("…")` is extracted like a plain `gettext("…")`.
_KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}


def update_catalogues() -> None:
    """Merge the extracted messages into each `.po`, keeping existing translations."""
    from babel.messages.pofile import write_po

    template = extract()
    for lang in LANGUAGES:
        current = catalog(lang)
        current.update(template, no_fuzzy_matching=True)
        with po_path(lang).open("wb") as handle:
            write_po(handle, current, width=100, omit_header=False, ignore_obsolete=True,
                     no_location=True, sort_output=True)
    catalog.cache_clear()
    translations.cache_clear()


if __name__ == "__main__":
    update_catalogues()
    for lang in LANGUAGES:
        print(po_path(lang).relative_to(Path.cwd()) if po_path(lang).is_relative_to(Path.cwd()) else po_path(lang))


def document_environment(target: str, lang: str, markdown: bool,
                         package: str = "touchdsl.targets") -> jinja2.Environment:
    """The jinja2 environment of one document format of the charter, the policy or the
    measurement's report (templates under `package`'s `templates/<target>`).

    HTML autoescapes; Markdown escapes through `finalize`, so every value a
    template prints is escaped unless it is a rendered phrase or catalogue text.
    Phrases (`touchdsl.documents.wording`) render themselves for the format, so user text is
    never part of a template and never evaluated. Undefined names fail the build.
    """
    import jinja2

    from touchdsl.documents import wording
    from touchdsl.documents.escape import md_text

    rtl = lang == "he"
    trans = translations(lang)

    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    finalize: Callable[[object], object]
    if markdown:
        def markdown_value(value: object) -> object:
            if isinstance(value, wording.MarkdownText):
                return value
            if isinstance(value, wording.Renderable):
                return wording.MarkdownText(value.markdown(rtl))
            if isinstance(value, str):
                return md_text(value)
            return value

        def markdown_gettext(message: str) -> str:
            return wording.MarkdownText(trans.gettext(message))

        def markdown_ngettext(singular: str, plural: str, n: int) -> str:
            return wording.MarkdownText(trans.ngettext(singular, plural, n))

        finalize, gettext, ngettext = markdown_value, markdown_gettext, markdown_ngettext
    else:
        def html_value(value: object) -> object:
            if isinstance(value, wording.Renderable):
                return value.html(rtl)
            return value

        finalize, gettext, ngettext = html_value, trans.gettext, trans.ngettext

    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, f"templates/{target}"),
        autoescape=not markdown,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        finalize=finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # jinja2.ext.i18n adds this method when the extension loads; jinja2's types do not declare it.
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals.update(lang=lang, rtl=rtl, direction="rtl" if rtl else "ltr")
    # `{{ tp.id | code }}`: an identifier or file name, printed as code in any format and language.
    env.filters["code"] = lambda value: wording.Code(str(value))
    return env
