"""The minutes' budget section: the quarter's mix before and after the session's decisions, against the
target, with the envelope's headroom and the lines planned at another amount than the current cost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from labreview.domain.budget import round_points
from labreview.domain.vocabulary import Track, format_money
from labreview.exchange import markdown as md


def _budget(budget: Any, quarter: str, decisions: Sequence[Any]) -> str:
    lines = ["## Budget mix", ""]
    currency = budget.currency
    if budget.mix.total == 0:
        lines.append(f"No budget is allocated for {quarter}.")
        return "\n".join(lines)
    target = budget.target
    moved = budget.projected != budget.mix
    if not decisions or not moved:
        reason = "no decisions yet" if not decisions else "this session's decisions move no money"
        lines.append(f"Allocation for {quarter} against the {target} target (factory/iterate/lab); {reason}:")
        lines.append("")
        rows = [
            [track.label, f"{target.share(track).normalize():f} %", _share(budget.mix, track, currency), _points(d)]
            for track, d in zip(Track, budget.drift, strict=True)
        ]
        rows.append(["**Total**", "100 %", format_money(budget.mix.total, currency), ""])
        lines.append(md.table(["Track", "Target", "Allocation", "Against target"], rows, align=["l", "r", "r", "r"]))
        for note in _budget_notes(budget):
            lines.extend(["", note])
        return "\n".join(lines)
    lines.append(
        f"Allocation for {quarter} before and after this session's decisions, "
        f"against the {target} target (factory/iterate/lab):"
    )
    lines.append("")
    rows = [
        [
            track.label,
            f"{target.share(track).normalize():f} %",
            _share(budget.mix, track, currency),
            _share(budget.projected, track, currency),
            f"{_points(before)} → {_points(after)}",
        ]
        for track, before, after in zip(Track, budget.drift, budget.projected_drift, strict=True)
    ]
    rows.append(
        [
            "**Total**",
            "100 %",
            format_money(budget.mix.total, currency),
            format_money(budget.projected.total, currency),
            "",
        ]
    )
    lines.append(
        md.table(
            ["Track", "Target", "Before", "After", "Against target"],
            rows,
            align=["l", "r", "r", "r", "r"],
        )
    )
    if budget.changes:
        lines.append("")
        lines.append("What moved:")
        lines.append("")
        lines.append(md.bullets(md.text(change) for change in budget.changes))
    for note in _budget_notes(budget):
        lines.extend(["", note])
    return "\n".join(lines)


def _budget_notes(budget: Any) -> list[str]:
    """The envelope and its headroom, and the lines planned at another amount than the current cost."""
    currency = budget.currency
    notes: list[str] = []
    room = budget.headroom
    if budget.envelope is not None and room is not None:
        notes.append(
            f"Envelope {format_money(budget.envelope.total, currency)}, of which the ring-fenced lab budget "
            f"{format_money(budget.envelope.lab, currency)}; headroom {_signed_money(room.total, currency)} "
            f"(lab {_signed_money(room.lab, currency)}, operations {_signed_money(room.operations, currency)})."
        )
    differ = [line for line in budget.lines if line.differs]
    if differ:
        moved = {change.split(" ", 1)[0] for change in budget.changes}
        shown = [line for line in differ if line.key in moved]
        shown += sorted(
            (line for line in differ if line.key not in moved),
            key=lambda line: (-abs(line.amount - line.cost), line.key),
        )[: max(0, DIFFERENCES_SHOWN - len(shown))]
        more = len(differ) - len(shown)
        notes.append(
            f"Allocations are the quarter's planned budget lines ({format_money(budget.mix.total, currency)}); "
            f"the same initiatives' current quarterly costs add up to "
            f"{format_money(sum(line.cost for line in budget.lines), currency)}. "
            f"{len(differ)} of {len(budget.lines)} lines differ from the current cost, e.g. "
            + "; ".join(
                f"{md.text(line.key)} planned {format_money(line.amount, currency)}, "
                f"cost/qtr now {format_money(line.cost, currency)}"
                for line in shown
            )
            + (f"; and {more} more." if more else ".")
        )
    return notes


DIFFERENCES_SHOWN = 3
"""Budget lines named in the minutes whose planned amount differs from the current cost (beyond those moved)."""


def _signed_money(minor: int, currency: str) -> str:
    text = format_money(abs(minor), currency)
    return f"{text} over" if minor < 0 else text


def _share(mix: Any, track: Track, currency: str) -> str:
    return f"{format_money(mix.amount(track), currency)} ({round_points(mix.share(track))} %)"


def _points(drift: Any) -> str:
    points = round_points(drift.points)
    if points == 0:
        return "on target"
    sign = "+" if points > 0 else "−"
    return f"{sign}{abs(points)} pts"
