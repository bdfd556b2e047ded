"""The project: its name and how customers reach it (TD319, TD320, TD322, TD915).

A contact point is printed in the charter for customers to use, so it must be
one: a phone number that the phone network knows (Google's libphonenumber
rules, through the `phonenumbers` package: the same metadata phones and
telephony systems use, per country and kept current, so a number one digit
short or with a wrong area code is caught), a web address a browser opens, an
e-mail address.
"""

from __future__ import annotations

from touchdsl import model
from touchdsl.addresses import email_problem, http_url_problem
from touchdsl.compiler.checks.context import Context, check_channel, items_of, title_of
from touchdsl.diagnostics import Related
from touchdsl.language import ast

__all__ = ["check_project", "phone_problem"]

_EXAMPLES: dict[model.ContactKind, str] = {
    "phone": '"+972 3-555-0100"',
    "url": '"https://www.example.com/contact"',
    "email": '"service@example.com"',
    "address": '"12 Herzl Street, Tel Aviv"',
}


def check_project(ctx: Context) -> tuple[str | None, list[model.Contact]]:
    """The organisation's name and contact points from the project's one `project` declaration."""
    projects = ctx.decls.projects
    if not projects:
        return None, []
    first = projects[0]
    for extra in projects[1:]:
        ctx.sink.error("TD322", "the project is declared more than once", extra.title.span,
                       help=["a project has one `project` declaration; keep one (a folder with its own "
                             "`project` is a project of its own, checked apart)"],
                       related=[Related(first.title.span, "the project is declared here")])
    title = title_of(ctx, first.title, "project")
    contacts: list[model.Contact] = []
    seen: dict[str, ast.ContactLine] = {}
    for line in items_of(first, ast.ContactLine):
        channel = line.channel.value
        if not check_channel(ctx, line.channel):
            continue
        if channel in seen:
            ctx.sink.error("TD305", f"`contact {channel}` is written more than once here", line.span,
                           help=[f"the charter gives one {channel} contact; keep one"],
                           related=[Related(seen[channel].span, "first written here")])
            continue
        seen[channel] = line
        contact = _contact(ctx, line)
        if contact is not None:
            contacts.append(contact)
    return title, contacts


def _contact(ctx: Context, line: ast.ContactLine) -> model.Contact | None:
    channel = line.channel.value
    kind = model.CONTACT_KINDS.get(channel)
    written = line.address
    if kind is None:
        ctx.sink.error("TD320", f"customers do not contact you by `{channel}`: on that channel you come to them",
                       line.channel.span,
                       help=["list the channels customers reach you on: " + ", ".join(model.CONTACT_KINDS)])
        return None
    text = " ".join(written.value.split())
    if not text:
        ctx.sink.error("TD310", f"the {channel} contact is empty", written.span,
                       help=[f"write it, e.g. `contact {channel} {_EXAMPLES[kind]}`, or leave it out"])
        return None
    match kind:
        case "phone":
            number = _phone(ctx, line)
            if number is None:
                return None
            shown, dialled = number
            return model.Contact(channel=line.channel.value, kind=kind, text=shown, link=f"tel:{dialled}")
        case "url":
            problem = http_url_problem(written.value)
            if problem is None and "@" in written.value.split("//", 1)[-1].split("/", 1)[0]:
                problem = "it has a user part before `@`, so it leads elsewhere than it seems"
            if problem is not None:
                ctx.sink.error("TD320", f"the {channel} contact \"{written.value}\" is not a web address: {problem}",
                               written.span, help=[f"write the full address, e.g. `contact {channel} "
                                                   f"{_EXAMPLES['url']}`"])
                return None
            return model.Contact(channel=line.channel.value, kind=kind, text=written.value, link=written.value)
        case "email":
            if email_problem(written.value):
                ctx.sink.error("TD320", f"the email contact \"{written.value}\" is not an e-mail address",
                               written.span, help=[f"write it as `contact email {_EXAMPLES['email']}`"])
                return None
            return model.Contact(channel=line.channel.value, kind=kind, text=written.value,
                                 link=f"mailto:{written.value}")
        case "address":
            return model.Contact(channel=line.channel.value, kind=kind, text=text, link=None)


def phone_problem(text: str, regions: tuple[str, ...] = ()) -> tuple[str, list[str]] | None:
    """Why `text` is not a phone number customers can dial from anywhere, with help; None if it is.

    A number without its country code is refused (the charter is read abroad, and
    without the country no rule can check it); when it is a valid number of one of
    `regions` (the countries whose holidays the project's calendars keep), the help
    writes it in international form."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return None
    if number is None:
        local = _national(text, regions)
        if local is not None:
            return ("it has no country code", [f"write it in international form, e.g. \"{local}\", so it can be "
                                               "dialled from anywhere and checked"])
        return ("it has no country code", ['write it in international form with the country code, e.g. '
                                           '"+972 3-555-0100"'])
    region = phonenumbers.region_code_for_number(number)
    where = f" in {region}" if region and region != "ZZ" else ""
    return (f"no phone number{where} has this form (too short, too long, or an area code that does not exist)",
            ["check the digits; the country code comes first, e.g. \"+972 3-555-0100\""])


def _national(text: str, regions: tuple[str, ...]) -> str | None:
    """`03-555-0100` in international form if it is a valid number of one of `regions` (a hint for
    the help, never accepted silently)."""
    import phonenumbers

    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
    return None


def _regions(ctx: Context) -> tuple[str, ...]:
    """The countries whose holidays the project's calendars keep: where its customers most likely dial from."""
    found: dict[str, None] = {}
    for calendar in ctx.decls.calendars.values():
        for line in items_of(calendar, ast.Holidays):
            for country in line.countries:
                found.setdefault(country.value.strip().upper().split("-")[0], None)
    return tuple(found)


def _phone(ctx: Context, line: ast.ContactLine) -> tuple[str, str] | None:
    """(the number as printed, in international form; as dialled, E.164), or None after an error."""
    import phonenumbers

    written = line.address
    problem = phone_problem(written.value, _regions(ctx))
    if problem is not None:
        why, helps = problem
        ctx.sink.error("TD319", f"the {line.channel.value} contact \"{written.value}\" is not a phone number: {why}",
                       written.span, help=helps)
        return None
    number = phonenumbers.parse(written.value, None)
    return (str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)),
            str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)))


def check_reachable(ctx: Context, contacts: list[model.Contact], decl: ast.TouchpointDecl) -> None:
    """TD915: a touchpoint offers a channel the charter gives no contact for (once any contact is given)."""
    if not contacts:
        return
    given = {c.channel for c in contacts}
    for line in items_of(decl, ast.Channels):
        for name in line.channels:
            channel = name.value
            if channel in model.CONTACT_KINDS and channel not in given and channel in model.CHANNELS:
                ctx.sink.warning("TD915", f"customers are offered `{channel}` here, but the project gives no "
                                 f"{channel} contact", name.span,
                                 help=[f"add `contact {channel} {_EXAMPLES[model.CONTACT_KINDS[channel]]}` to the "
                                       "`project` block, so the charter says how to reach you there"])
