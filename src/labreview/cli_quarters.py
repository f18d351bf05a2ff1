"""Command line for the quarter's work outside the app: sessions, budget, scoring weights, decision rights.

``labreview session plan|start|end|attend``, ``labreview budget show|set|envelope|import``,
``labreview weights show|set``, ``labreview rights show|grant|revoke``. Each change is one audited action
of the service layer, in the name of ``--as NAME`` (a person of the portfolio) or else the session's facilitator.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``session``, ``budget``, ``weights`` and ``rights`` to the parser's subcommands."""
    session = commands.add_parser("session", help="plan, start or end a review session; change attendance")
    actions = session.add_subparsers(dest="what", metavar="ACTION", required=True)
    plan = actions.add_parser(
        "plan",
        parents=[common],
        help="plan a session: date, facilitator, attendees; carries items over and proposes the budget",
    )
    plan.add_argument("quarter", metavar="QUARTER")
    plan.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the day the session is planned for")
    plan.add_argument("--facilitator", required=True, metavar="NAME")
    plan.add_argument(
        "--attendee", action="append", default=[], metavar="NAME", help="a person who attends (repeat for each)"
    )
    plan.add_argument("--timebox", type=int, default=8, metavar="MINUTES", help="timebox per agenda item")
    plan.set_defaults(run=cmd_session_plan)
    for name, run, text in (
        ("start", cmd_session_start, "open the session (records when it started)"),
        ("end", cmd_session_end, "close the session (records when it ended)"),
        ("show", cmd_session_show, "the session: date, facilitator, attendees, agenda and why items are on it"),
    ):
        sub = actions.add_parser(name, parents=[common], help=text)
        sub.add_argument("quarter", metavar="QUARTER")
        sub.set_defaults(run=run)
    attend = actions.add_parser("attend", parents=[common], help="a person arrives (or, with --absent, leaves)")
    attend.add_argument("quarter", metavar="QUARTER")
    attend.add_argument("name", metavar="NAME")
    attend.add_argument("--absent", action="store_true", help="take the person off the attendance")
    attend.set_defaults(run=cmd_session_attend)

    budget = commands.add_parser("budget", help="a quarter's budget lines and envelope")
    actions = budget.add_subparsers(dest="what", metavar="ACTION", required=True)
    show = actions.add_parser("show", parents=[common], help="the quarter's lines, mix, envelope and headroom")
    show.add_argument("quarter", metavar="QUARTER")
    show.add_argument("--csv", action="store_true", help="the lines as CSV (the columns `budget import` reads)")
    show.set_defaults(run=cmd_budget_show)
    put = actions.add_parser("set", parents=[common], help="set one initiative's line")
    put.add_argument("quarter", metavar="QUARTER")
    put.add_argument("key", metavar="KEY")
    put.add_argument("amount", metavar="AMOUNT", help="in currency units, e.g. 12500 or 12,500.50")
    put.add_argument("--track", metavar="TRACK", help="factory, iterate or lab (default: the initiative's)")
    put.set_defaults(run=cmd_budget_set)
    envelope = actions.add_parser("envelope", parents=[common], help="set the quarter's total and lab budget")
    envelope.add_argument("quarter", metavar="QUARTER")
    envelope.add_argument("--total", required=True, metavar="AMOUNT")
    envelope.add_argument("--lab", default="0", metavar="AMOUNT", help="the ring-fenced lab budget inside the total")
    envelope.set_defaults(run=cmd_budget_envelope)
    load = actions.add_parser("import", parents=[common], help="set lines from a CSV file (key, amount, track)")
    load.add_argument("quarter", metavar="QUARTER")
    load.add_argument("file", metavar="FILE")
    load.set_defaults(run=cmd_budget_import)

    weights = commands.add_parser("weights", help="the portfolio's scoring weights")
    actions = weights.add_subparsers(dest="what", metavar="ACTION", required=True)
    actions.add_parser("show", parents=[common], help="the criterion weights scores are weighted with").set_defaults(
        run=cmd_weights_show
    )
    put = actions.add_parser("set", parents=[common], help="the board sets the weights (audited)")
    put.add_argument("weights", nargs="+", metavar="CRITERION=NUMBER", help="e.g. outcome-impact=2 data-risk=1.5")
    put.set_defaults(run=cmd_weights_set)

    rights = commands.add_parser("rights", help="who may sign off which decision, up to what cost")
    actions = rights.add_subparsers(dest="what", metavar="ACTION", required=True)
    actions.add_parser("show", parents=[common], help="the decision rights, with their ids").set_defaults(
        run=cmd_rights_show
    )
    grant = actions.add_parser("grant", parents=[common], help="let a board role or a person sign off (audited)")
    grant.add_argument("kind", metavar="KIND", help="pilot, production, renewal or sunset")
    holder = grant.add_mutually_exclusive_group(required=True)
    holder.add_argument("--role", metavar="ROLE", help="a board role, e.g. innovation-lead")
    holder.add_argument("--person", metavar="NAME", help="one person of the portfolio")
    grant.add_argument(
        "--up-to", metavar="AMOUNT", help="the highest quarterly cost they may sign off (default: any cost)"
    )
    grant.set_defaults(run=cmd_rights_grant)
    revoke = actions.add_parser("revoke", parents=[common], help="take a right back (audited)")
    revoke.add_argument("id", type=int, metavar="ID", help="the right's id, as `rights show` lists it")
    revoke.set_defaults(run=cmd_rights_revoke)


def _with_portfolio(args: argparse.Namespace, work: Callable[[Any], int]) -> int:
    from labreview.cli_common import _open_portfolio

    portfolio = _open_portfolio(args)
    try:
        return work(portfolio)
    finally:
        portfolio.close()


def _day(text: str) -> dt.date:
    from labreview.cli_common import CliError

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"Write the date as YYYY-MM-DD; got '{text}'.") from None


def cmd_session_plan(args: argparse.Namespace) -> int:
    held_on = _day(args.date)

    def work(p: Any) -> int:
        view = p.plan_session(
            args.quarter,
            held_on=held_on,
            facilitator=args.facilitator,
            attendees=args.attendee,
            timebox_minutes=args.timebox,
        )
        print(
            f"Planned the {view.quarter} session on {view.held_on.isoformat()}, facilitated by "
            f"{view.facilitator.name}, with {len(view.attendees)} attendees."
        )
        _print_agenda(view)
        return 0

    return _with_portfolio(args, work)


def _print_agenda(view: Any) -> None:
    if not view.agenda:
        print("The agenda is empty: put items on it from the backlog.")
        return
    print(f"Agenda ({len(view.agenda)} items):")
    for entry in view.agenda:
        why = f" — {entry.carried_reason}" if entry.carried_reason else ""
        print(f"  {entry.position}. {entry.key} {entry.title}{why}")


def cmd_session_start(args: argparse.Namespace) -> int:
    def work(p: Any) -> int:
        view = p.start_session(args.quarter)
        print(f"The {view.quarter} session started at {view.started_at:%Y-%m-%d %H:%M} UTC.")
        return 0

    return _with_portfolio(args, work)


def cmd_session_end(args: argparse.Namespace) -> int:
    def work(p: Any) -> int:
        view = p.end_session(args.quarter)
        open_items = sum(1 for e in view.agenda if e.decided is None)
        print(f"The {view.quarter} session ended at {view.ended_at:%Y-%m-%d %H:%M} UTC.")
        if open_items:
            print(f"{open_items} agenda items got no decision; planning the next session carries them over.")
        return 0

    return _with_portfolio(args, work)


def cmd_session_show(args: argparse.Namespace) -> int:
    def work(p: Any) -> int:
        view = p.session(args.quarter)
        print(f"{view.quarter} session, {view.status.value}, planned for {view.held_on.isoformat()}")
        print(f"Facilitator: {view.facilitator.name}")
        print("Attendees: " + (", ".join(a.name for a in view.attendees) or "none"))
        _print_agenda(view)
        return 0

    return _with_portfolio(args, work)


def cmd_session_attend(args: argparse.Namespace) -> int:
    def work(p: Any) -> int:
        view = p.set_attendance(args.quarter, args.name, not args.absent)
        print(f"{len(view.attendees)} attend the {view.quarter} session: " + ", ".join(a.name for a in view.attendees))
        return 0

    return _with_portfolio(args, work)


def cmd_budget_show(args: argparse.Namespace) -> int:
    def work(p: Any) -> int:
        view = p.budget(args.quarter)
        if args.csv:
            from labreview.exchange.budget_csv import budget_csv

            print(budget_csv(view), end="")
            return 0
        from labreview.exchange.budget_text import budget_text

        print(budget_text(view))
        return 0

    return _with_portfolio(args, work)


def cmd_budget_set(args: argparse.Namespace) -> int:
    from labreview.domain.vocabulary import format_money, parse_money

    amount = parse_money(args.amount)

    def work(p: Any) -> int:
        p.set_budget_line(args.quarter, args.key, amount, args.track)
        print(f"Budget {args.quarter}: {args.key.upper()} {format_money(amount, p.currency)}")
        return 0

    return _with_portfolio(args, work)


def cmd_budget_envelope(args: argparse.Namespace) -> int:
    from labreview.domain.vocabulary import format_money, parse_money

    total, lab = parse_money(args.total), parse_money(args.lab)

    def work(p: Any) -> int:
        p.set_budget_envelope(args.quarter, total, lab)
        currency = p.currency
        print(
            f"Budget envelope {args.quarter}: {format_money(total, currency)}, "
            f"of which lab (ring-fenced) {format_money(lab, currency)}"
        )
        return 0

    return _with_portfolio(args, work)


def cmd_budget_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from labreview.cli_common import CliError
    from labreview.exchange.budget_csv import read_budget_csv

    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"Cannot read {args.file}: {exc}.") from exc
    lines = read_budget_csv(text)

    def work(p: Any) -> int:
        changed = p.set_budget_lines(args.quarter, lines)
        print(f"Budget {args.quarter}: {changed} of {len(lines)} lines set from {args.file}.")
        return 0

    return _with_portfolio(args, work)


def cmd_weights_show(args: argparse.Namespace) -> int:
    from labreview.domain.scoring import format_weights

    return _with_portfolio(args, lambda p: print(format_weights(p.weights)) or 0)


def cmd_weights_set(args: argparse.Namespace) -> int:
    from labreview.domain.scoring import format_weights

    def work(p: Any) -> int:
        weights = p.set_weights(" ".join(args.weights))
        print(f"Scoring weights: {format_weights(weights)}")
        return 0

    return _with_portfolio(args, work)


def _right_line(right: Any) -> str:
    from labreview.cli_common import _printable

    people = f" — {_printable(', '.join(right.people))}" if right.role is not None and right.people else ""
    return f"{right.id:>3}  {right.kind.label}: {_printable(right.holder)}{people} ({right.limit})"


def cmd_rights_show(args: argparse.Namespace) -> int:
    def work(p: Any) -> int:
        rights = p.decision_rights()
        if not rights:
            print("No decision rights: every board decision stands without a sign-off.")
            print("Grant one with: labreview rights grant KIND --role ROLE [--up-to AMOUNT]")
        for right in rights:
            print(_right_line(right))
        return 0

    return _with_portfolio(args, work)


def cmd_rights_grant(args: argparse.Namespace) -> int:
    from labreview.domain.vocabulary import parse_money

    limit = parse_money(args.up_to) if args.up_to is not None else None

    def work(p: Any) -> int:
        right = p.grant_decision_right(args.kind, role=args.role, person=args.person, cost_limit=limit)
        print(f"Granted: {_right_line(right).strip()}")
        return 0

    return _with_portfolio(args, work)


def cmd_rights_revoke(args: argparse.Namespace) -> int:
    def work(p: Any) -> int:
        right = p.revoke_decision_right(args.id)
        print(f"Revoked: {_right_line(right).strip()}")
        return 0

    return _with_portfolio(args, work)
