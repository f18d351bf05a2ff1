"""A quarter's budget as plain aligned text: the mix against target, the envelope and its
headroom, and each line beside the initiative's current quarterly cost.

The budget screen shows it (and copies it with ``y``); ``labreview budget show`` prints it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from labreview.domain.budget import round_points
from labreview.domain.vocabulary import format_money


def mix_text(view: Any) -> str:
    """The mix of the quarter and after today's decisions, per track, against the target."""
    currency = view.currency
    lines = [
        f"Budget {view.quarter}: {format_money(view.mix.total, currency)} per quarter · target {view.target}",
        f"{'Track':<8}{currency:>11}{'Share':>7}{'Target':>7}{'Drift':>8}{'Drift ' + currency:>12}"
        f"{'After':>8}{'Drift':>8}",
    ]
    for now, after in zip(view.drift, view.projected_drift, strict=True):
        lines.append(
            f"{now.track.label:<8}{_amount(view.mix.amount(now.track)):>11}{round_points(now.actual):>6}%"
            f"{format(now.target.normalize(), 'f'):>6}%{_signed(now.points):>7}p{_signed_amount(now.money):>12}"
            f"{round_points(after.actual):>7}%{_signed(after.points):>7}p"
        )
    return "\n".join(lines)


def envelope_text(view: Any, *, how: str = "") -> str:
    """The envelope and its headroom, or that there is none (``how``: how to set one)."""
    currency = view.currency
    room = view.headroom
    if view.envelope is None or room is None:
        how = how or f"labreview budget envelope {view.quarter} --total … --lab …"
        return f"No envelope set for {view.quarter} ({how})."
    return (
        f"Envelope {format_money(view.envelope.total, currency)} · lab ring-fenced "
        f"{format_money(view.envelope.lab, currency)} · headroom {_room(room.total, currency)} "
        f"(lab {_room(room.lab, currency)}, operations {_room(room.operations, currency)})"
    )


def lines_text(view: Any) -> str:
    """Each line (planned) beside the initiative's current quarterly cost; ``*`` where they differ."""
    if not view.lines:
        return f"No budget lines for {view.quarter}: planning its session proposes them from quarterly costs."
    width = max(len(line.key) for line in view.lines)
    rows = [f"{'Key':<{width}}  {'Track':<8}{'Planned':>12}{'Cost/qtr':>12}"]
    for line in view.lines:
        mark = " *" if line.differs else ""
        rows.append(
            f"{line.key:<{width}}  {line.track.label:<8}{_amount(line.amount):>12}{_amount(line.cost):>12}{mark}"
        )
    differ = sum(1 for line in view.lines if line.differs)
    if differ:
        rows.append(
            f"* {differ} planned lines differ from the initiative's current quarterly cost "
            "(the line is the quarter's plan; cost/qtr is the run-rate recorded on the initiative now)."
        )
    return "\n".join(rows)


def budget_text(view: Any) -> str:
    return "\n\n".join((mix_text(view), envelope_text(view), lines_text(view)))


def _room(minor: int, currency: str) -> str:
    return f"{format_money(-minor, currency)} over" if minor < 0 else format_money(minor, currency)


def _amount(minor: int) -> str:
    return format_money(minor, "").strip()


def _signed(points: Decimal) -> str:
    value = round_points(points)
    return f"+{value}" if value > 0 else f"{value}"


def _signed_amount(minor: int) -> str:
    return ("+" if minor > 0 else "-" if minor < 0 else "") + _amount(abs(minor))
