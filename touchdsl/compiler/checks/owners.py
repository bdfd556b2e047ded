"""Owners: manager, receivers and their addresses (TD306, TD310, TD901, TD916)."""

from __future__ import annotations

from touchdsl import model
from touchdsl.addresses import email_problem, http_url_problem
from touchdsl.compiler.checks.context import (
    Context,
    check_name,
    close_match,
    items_of,
    notes_and_tags,
    single,
    title_of,
)
from touchdsl.language import ast


def _without_userinfo(ctx: Context, target: ast.Text) -> bool:
    """`https://good.example.com@evil.example/` goes to evil.example: a URL with a user part is refused."""
    from urllib.parse import urlsplit

    parts = urlsplit(target.value)
    if "@" not in parts.netloc:
        return True
    ctx.sink.error("TD315", f"the webhook URL has a user part (`{parts.netloc.rsplit('@', 1)[0]}@`): it goes to "
                   f"`{parts.hostname}`, not to what is written before the `@`", target.span,
                   help=["write the URL without `user@`; a secret for the receiver belongs in Alertmanager's "
                         "`http_config`, not in a file everyone reads"])
    return False


def check_owner(ctx: Context, decl: ast.OwnerDecl) -> model.Owner | None:
    check_name(ctx, decl.name, "owner")
    if decl.name.value == "manager":
        ctx.sink.warning("TD916", "an owner named `manager` cannot be escalated to: `escalate to manager` means "
                                  "the manager of the touchpoint's own owner", decl.name.span,
                         help=["rename the owner, e.g. `management`"])
    mgr = single(ctx, items_of(decl, ast.ManagerLine), "manager")
    manager = None
    if mgr is not None:
        email = mgr.email.value
        if email_problem(email):
            ctx.sink.error("TD310", f"`<{email}>` is not an email address", mgr.email.span,
                           help=["write it as <name@example.com>"])
        if not mgr.name.value.strip():
            ctx.sink.error("TD310", "the manager's name is empty", mgr.name.span)
        manager = model.Manager(name=mgr.name.value, email=email)
    notify: list[model.Receiver] = []
    page: list[model.Receiver] = []
    receivers = items_of(decl, ast.ReceiverLine)
    for r in receivers:
        if r.kind.value not in model.RECEIVER_KINDS:
            ctx.sink.error("TD306", f"unknown receiver `{r.kind.value}`", r.kind.span,
                           help=close_match(r.kind.value, model.RECEIVER_KINDS) + [
                               "receivers are: " + ", ".join(model.RECEIVER_KINDS)])
            continue
        if not r.target.value.strip():
            ctx.sink.error("TD310", f"the {r.kind.value} receiver has no address", r.target.span)
            continue
        url_problem = http_url_problem(r.target.value) if r.kind.value == "webhook" else None
        if url_problem:
            ctx.sink.error("TD310", f"webhook target \"{r.target.value}\" is not an http(s) URL "
                           f"Alertmanager accepts: {url_problem}", r.target.span,
                           help=['write the full address, e.g. "https://hooks.example.com/alerts"'])
            continue
        if r.kind.value == "webhook" and not _without_userinfo(ctx, r.target):
            continue
        if r.kind.value == "email" and email_problem(r.target.value):
            ctx.sink.error("TD310", f"email target \"{r.target.value}\" is not an email address", r.target.span,
                           help=['write it as "team@example.com"'])
            continue
        receiver = model.Receiver(kind=r.kind.value, target=r.target.value)
        (notify if r.level == "notify" else page).append(receiver)
    if not receivers and id(decl) not in ctx.decls.damaged:
        ctx.sink.warning("TD901", f"owner `{decl.name.value}` has no `notify` or `page` receiver; "
                         "its alerts reach nobody", decl.name.span,
                         help=['add e.g. `notify email "team@example.com"`'])
    note, tags = notes_and_tags(ctx, decl)
    return model.Owner(id=decl.name.value, title=title_of(ctx, decl.title, "owner"), manager=manager,
                       notify=notify, page=page, note=note, tags=tags, location=ctx.loc(decl.name.span))
