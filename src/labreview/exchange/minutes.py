"""The minutes of a review session as GitHub-flavoured Markdown.

``render(portfolio, quarter)`` reads the session with one batch reader
(``portfolio.minutes_data.read``: a handful of SQL statements keyed by the
session, whatever the number of decisions) and returns the document
(``render_records`` does the same from records already read);
``write_atomic`` saves it. The sections come in the order
readers of the minutes expect (the issue that specified them lists it): title
and date; who was there; the agenda with time spent against the timebox; the
decisions, then one section per decision (scores, gates, data access,
conditions, next review); action items, including those still open from
earlier sessions; the budget mix before and after; what was not reached; and
pre-registered success criteria that changed. The budget section is rendered by
``minutes_budget``.

The output depends only on the database: no clock is read (dates are the
session's, "overdue" is judged on the session day), everything is sorted, so
the same database gives byte-identical minutes. Everything people typed goes
through ``markdown.text``, which escapes it so it cannot break the document.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence, Set
from typing import Any

from labreview.domain import access as access_rules
from labreview.domain import scoring
from labreview.domain.vocabulary import (
    AccessStatus,
    CheckState,
    Criterion,
    Quarter,
    SessionStatus,
)
from labreview.exchange import markdown as md
from labreview.exchange.files import write_atomic
from labreview.exchange.minutes_budget import _budget

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
RATIONALE_IN_TABLE = 120
"""Characters of the rationale shown in the decisions table (the full text is in the decision's section)."""
TITLE_IN_TABLE = 60


def default_filename(quarter: str) -> str:
    """Where ``labreview minutes`` writes without ``-o``."""
    return f"minutes-{Quarter.parse(quarter)}.md"


def render(portfolio: Any, quarter: str) -> str:
    """The minutes of the session of ``quarter`` in ``portfolio`` (``NotFound`` if there is none)."""
    from labreview.portfolio import records  # deferred: needs the store

    return render_records(records.minutes_records(portfolio, str(Quarter.parse(quarter))))


def render_records(data: Any) -> str:
    """The minutes from what ``portfolio.minutes_data.read`` gives."""
    session = data.session
    decisions = data.decisions
    signed = data.signed
    parts = [
        _title(data.name, session),
        _attendance(session),
        _agenda(session),
    ]
    if any(entry.carried_reason for entry in session.agenda):
        parts.append(_carried(session))
    parts.append(_decisions(session, decisions))
    for decision in decisions:
        parts.append(_decision_section(data, session, decision, signed))
    if data.other_access:
        parts.append(_other_access(data, session, signed))
    parts.append(_action_items(data, session))
    parts.append(_budget(data.budget, session.quarter, decisions))
    if getattr(data, "kpis", None) is not None:
        parts.append(_kpis(data.kpis, session.quarter))
    parts.append(_not_reached(session))
    parts.append(_criteria_changes(data.criteria_changes, data.previous_held_on))
    parts.append(_audit_anchor(data))
    return "\n\n".join(p.strip("\n") for p in parts) + "\n"


ANCHOR_LINE = re.compile(r"^Audit log head: record (\d+), hash ([0-9a-f]{64})\.$", re.MULTILINE)
"""How the minutes carry the head of the audit log; ``labreview audit verify --anchor FILE`` reads it back."""


def anchor_of(text: str) -> str | None:
    """The audit head hash a minutes file carries (None when it has none)."""
    found = ANCHOR_LINE.findall(text)
    return found[-1][1] if found else None


def _kpis(view: Any, quarter: str) -> str:
    """The KPI table of the session's quarter: the lab's measures, then the factory's, against the targets."""
    from labreview.domain import kpis  # the metrics' words (standard library only)

    lines = ["## KPIs", "", md.text(f"{quarter}: {view.leadership(quarter)}"), ""]
    rows = []
    for m in kpis.METRICS:
        cell = view.table.cell(m.key, quarter)
        target = cell.target
        arrow = "≥" if m.direction is kpis.Direction.HIGHER else "≤"
        rows.append(
            [
                m.side.label,
                md.text(m.label),
                view.shown(m.key, quarter),
                f"{arrow} {kpis.format_value(m, target, view.currency)}" if target is not None else "",
                {True: "met", False: "missed", None: ""}[cell.met],
                "computed" if m.source is kpis.Source.COMPUTED else md.text(cell.basis or "no reading"),
            ]
        )
    lines.append(
        md.table(["Side", "Measure", quarter, "Target", "Met", "From"], rows, align=["l", "l", "r", "r", "l", "l"])
    )
    if view.problem:
        lines.extend(["", md.text(view.problem)])
    return "\n".join(lines)


def _audit_anchor(data: Any) -> str:
    lines: list[str] = []  # a closing paragraph, not a section: the sections are the meeting's
    if not data.audit_head:
        lines.append("The audit log was empty when these minutes were written.")
        return "\n".join(lines)
    lines.append(f"Audit log head: record {data.audit_record}, hash {data.audit_head}.")
    lines.append("")
    lines.append(
        "Kept with the minutes, this hash shows later whether the audit log still reaches this record: "
        "run labreview audit verify with --anchor and this file."
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------- sections


def _title(name: str, session: Any) -> str:
    lines = [f"# Minutes of the {session.quarter} portfolio review, {_long_date(session.day)}", ""]
    name = md.text(name)
    if session.status is SessionStatus.PLANNED:
        lines.append(
            f"{name}. **Not held yet:** the session is planned for {_long_date(session.held_on)}. "
            "This document shows the agenda and what is open going into the meeting; "
            "there are no decisions yet."
        )
    else:
        state = "Held" if session.status is SessionStatus.CLOSED else "In session"
        times = ""
        if session.started_at and session.ended_at:
            times = f" from {_clock(session.started_at)} to {_clock(session.ended_at)} UTC"
        elif session.started_at:
            times = f" since {_clock(session.started_at)} UTC; these minutes are a draft until the session ends"
        moved = f" (planned for {session.held_on.isoformat()})" if session.day != session.held_on else ""
        lines.append(f"{name}. {state} on {session.day.isoformat()}{moved}{times}.")
    return "\n".join(lines)


def _attendance(session: Any) -> str:
    facilitator = session.facilitator
    lines = [
        "## Attendance",
        "",
        f"**Facilitator:** {md.text(facilitator.name)} ({md.text(facilitator.role_label)})",
        "",
    ]
    if session.attendees:
        label = "Attendees" if session.status is not SessionStatus.PLANNED else "Expected"
        lines.append(f"**{label} ({len(session.attendees)}):**")
        lines.append("")
        lines.append(md.bullets(f"{md.text(p.name)} — {md.text(p.role_label)}" for p in session.attendees))
    else:
        lines.append("No attendees are recorded.")
    return "\n".join(lines)


def _agenda(session: Any) -> str:
    lines = ["## Agenda", ""]
    if not session.agenda:
        lines.append("The agenda is empty.")
        return "\n".join(lines)
    planned = session.status is SessionStatus.PLANNED
    rows = []
    for entry in session.agenda:
        if planned:
            spent = "—"
            outcome = "—"
        else:
            spent = _duration(entry.spent_seconds)
            over = entry.spent_seconds - entry.timebox_seconds
            if over > 0:
                spent += f" ({_duration(over)} over)"
            outcome = entry.decided.value if entry.decided else "no decision"
        rows.append(
            [
                str(entry.position),
                md.text(entry.key),
                md.text(entry.title, limit=TITLE_IN_TABLE),
                _duration(entry.timebox_seconds),
                spent,
                outcome,
            ]
        )
    lines.append(
        md.table(
            ["#", "Key", "Initiative", "Timebox", "Time spent", "Outcome"],
            rows,
            align=["r", "l", "l", "r", "r", "l"],
        )
    )
    timebox = sum(e.timebox_seconds for e in session.agenda)
    lines.append("")
    if planned:
        lines.append(f"Times are minutes:seconds. {len(session.agenda)} items, {_duration(timebox)} timeboxed in all.")
    else:
        spent = sum(e.spent_seconds for e in session.agenda)
        lines.append(
            f"Times are minutes:seconds. {_duration(spent)} spent in all against {_duration(timebox)} timeboxed."
        )
    return "\n".join(lines)


def _decisions(session: Any, decisions: Sequence[Any]) -> str:
    lines = ["## Decisions", ""]
    if not decisions:
        if session.status is SessionStatus.PLANNED:
            lines.append("No decisions yet: the session has not been held.")
        else:
            lines.append("No decisions were recorded.")
        return "\n".join(lines)
    rows = [
        [
            md.text(d.key),
            md.text(d.title, limit=TITLE_IN_TABLE),
            _stage_move(d),
            f"{d.outcome.value} into {md.text(d.absorbed_by)}" if d.absorbed_by else d.outcome.value,
            md.text(d.rationale, limit=RATIONALE_IN_TABLE) or "—",
        ]
        for d in decisions
    ]
    lines.append(md.table(["Key", "Initiative", "Stage", "Outcome", "Rationale"], rows))
    return "\n".join(lines)


def _decision_section(data: Any, session: Any, decision: Any, signed: Set[tuple[int, str]]) -> str:
    lines = [f"### {md.text(decision.key)} — {md.text(decision.title)}", ""]
    lines.append(f"**{decision.outcome.value.capitalize()}:** {_stage_move(decision)}; {_track_move(decision)}.")
    lines.append("")
    if decision.absorbed_by:
        survivor = f"{md.text(decision.absorbed_by)} — {md.text(decision.absorbed_by_title)}"
        lines.append(f"**Absorbed by:** {survivor} (the surviving tool takes its users and data over).")
        lines.append("")
    if decision.signed_off_by:
        right = decision.right.label if decision.right else "decision"
        lines.append(f"**Signed off by:** {md.text(decision.signed_off_by)}, under the {right} right.")
        lines.append("")
    rationale = md.text(decision.rationale)
    lines.append(f"**Rationale:** {rationale or 'none given.'}")
    lines.append("")
    lines.extend(_scores(data.scores[decision.initiative_id], data.equal_weights))
    lines.append("")
    lines.extend(_gates(data.gates[decision.initiative_id]))
    lines.append("")
    lines.extend(_access(data.requests.get(decision.initiative_id, ()), session, signed))
    lines.append("")
    lines.append(f"**Conditions:** {md.text(decision.conditions) or 'none.'}")
    lines.append("")
    review = decision.next_review.isoformat() if decision.next_review else "none set."
    lines.append(f"**Next review:** {review}")
    return "\n".join(lines)


def _scores(summary: Any, equal_weights: bool) -> list[str]:
    if not summary.stats:
        return ["**Scores:** none recorded in this session."]
    # The same weighted total the scorecard showed the board, with the portfolio's weights.
    overall = "average of the five criteria" if equal_weights else "weighted score with the portfolio's weights"
    reviewers = f"{summary.reviewers} reviewer{'s' * (summary.reviewers != 1)}"
    lines = [
        f"**Scores** from {reviewers}, 1 to 5 where 5 is best; {overall} {summary.total:.1f}. "
        f"A criterion is contested when scores are {scoring.CONTESTED_SPREAD} or more apart.",
        "",
    ]
    rows = []
    for criterion in Criterion:
        stats = summary.stats.get(criterion)
        if stats is None:
            rows.append([criterion.label, "—", "—", "not scored"])
            continue
        spread = f"{stats.spread} ({stats.low}–{stats.high})" if stats.count > 1 else "—"
        rows.append([criterion.label, f"{stats.mean:.1f}", spread, "**contested**" if stats.contested else ""])
    lines.append(
        md.table(["Criterion", "Mean", "Spread (low–high)", "Note"], rows, align=["l", "r", "r", "l"], empty="")
    )
    return lines


def _gates(reports: Sequence[Any]) -> list[str]:
    lines = ["**Gates:**", ""]
    for report in reports:
        items = report.items
        if not report.reached:
            lines.append(f"- {report.gate.label}: not reached yet")
            continue
        if not items:
            lines.append(f"- {report.gate.label}: no checklist items")
            continue
        pending = report.count(CheckState.PENDING)
        status = report.status.label
        if pending and report.status.value != "pending":
            status += f", {pending} open"
        elif pending:
            status = f"open, {pending} of {len(items)} item{'s' * (len(items) != 1)} to check"
        lines.append(f"- {report.gate.label}: {status}")
        for item in items:
            if item.state is CheckState.WAIVED:
                lines.append(f"  - waived: {md.text(item.text)} — {md.text(item.reason) or 'no reason recorded'}")
            elif item.state is CheckState.NOT_MET:
                lines.append(f"  - not met: {md.text(item.text)}")
    return lines


def _access(requests: Sequence[Any], session: Any, signed: Set[tuple[int, str]]) -> list[str]:
    shown = [r for r in requests if any((r.id, s.capacity.value) in signed for s in r.signatures)]
    if not shown:
        return ["**Data access:** no request was signed in this session."]
    lines = ["**Data access:**", ""]
    for request in sorted(shown, key=lambda r: r.id):
        lines.append(f"- {_request_line(request, session, signed)}")
        for signature in request.signatures:
            if (request.id, signature.capacity.value) not in signed:
                continue
            verb = "approved" if signature.approve else "rejected"
            who = f"{md.text(signature.person.name)} ({signature.capacity.label})"
            label = "conditions" if signature.approve else "reason"
            extra = f"; {label}: {md.text(signature.conditions)}" if signature.conditions else ""
            lines.append(f"  - {verb} by {who}{extra}")
    return lines


def _request_line(request: Any, session: Any, signed: Set[tuple[int, str]]) -> str:
    export = "export allowed" if request.export_allowed else "no export"
    terms = f"retention {request.retention_days} days, {export}, until {request.expires_on.isoformat()}"
    state = _status_on(request, session, signed)
    return f"{request.tier.label} — {md.text(request.data_description)} ({terms}): {state}"


def _status_on(request: Any, session: Any, signed: Set[tuple[int, str]]) -> str:
    """The request's state when the session ended, judged on the session day (not today)."""
    end = session.ended_at
    signatures = [
        access_rules.Signature(s.person.id, s.capacity, s.approve)
        for s in request.signatures
        if (request.id, s.capacity.value) in signed or end is None or s.signed_at <= end
    ]
    status = access_rules.status(request.tier, signatures, request.expires_on, session.day)
    if status is AccessStatus.PENDING:
        missing = access_rules.missing(request.tier, signatures)
        return "waiting for the " + " and the ".join(c.label for c in missing)
    return status.label


def _other_access(data: Any, session: Any, signed: Set[tuple[int, str]]) -> str:
    lines = ["### Other data-access decisions", ""]
    lines.append("Requests signed in this session for initiatives without a decision:")
    for initiative_id, key, title in data.other_access:
        lines.append("")
        lines.append(f"{md.text(key)} — {md.text(title)}:")
        lines.append("")
        lines.extend(_access(data.requests[initiative_id], session, signed)[2:])
    return "\n".join(lines)


def _action_items(data: Any, session: Any) -> str:
    lines = ["## Action items", ""]
    this = data.actions
    earlier = data.open_earlier
    if not this and not earlier:
        lines.append("No action items, and none open from earlier sessions.")
        return "\n".join(lines)
    intro = []
    if this:
        intro.append(f"{len(this)} agreed in this session")
    elif session.status is not SessionStatus.PLANNED:
        intro.append("none agreed in this session")
    if earlier:
        intro.append(f"{len(earlier)} still open from earlier sessions")
    lines.append(_sentence("; ".join(intro)) + " Overdue means past due on the day of this session.")
    lines.append("")
    rows = [
        [
            md.text(a.text),
            md.text(a.owner.name),
            a.due.isoformat(),
            f"{md.text(a.key)} {md.text(a.title, limit=40)}",
            a.quarter,
            _action_status(a, session.day),
        ]
        for a in (*this, *earlier)
    ]
    lines.append(md.table(["Action", "Owner", "Due", "Initiative", "Agreed in", "Status"], rows))
    return "\n".join(lines)


def _action_status(item: Any, day: dt.date) -> str:
    if item.status == "open" and item.due < day:
        return "**open, overdue**"
    return item.status


def _carried(session: Any) -> str:
    """What planning the session carried onto its agenda, and why (items put on by hand are not listed)."""
    carried = [e for e in session.agenda if e.carried_reason]
    lines = ["## Carried over into this session", ""]
    lines.append(f"Planning the session put {len(carried)} of the {len(session.agenda)} agenda items on it:")
    lines.append("")
    lines.append(md.bullets(f"{md.text(e.key)} — {md.text(e.title)}: {md.text(e.carried_reason)}" for e in carried))
    return "\n".join(lines)


def _not_reached(session: Any) -> str:
    lines = ["## Not reached", ""]
    if session.status is SessionStatus.PLANNED:
        lines.append(
            f"The session has not been held yet (it is planned for {session.held_on.isoformat()}), "
            "so nothing has been carried over."
        )
        return "\n".join(lines)
    missing = [e for e in session.agenda if e.decided is None]
    if not missing:
        lines.append("Every agenda item reached a decision.")
        return "\n".join(lines)
    next_quarter = Quarter.parse(session.quarter).next()
    if session.status is SessionStatus.OPEN:
        lines.append("The session is still in progress; these agenda items have no decision yet:")
    else:
        lines.append(f"These agenda items got no decision and are carried over to {next_quarter}:")
    lines.append("")
    items = []
    for entry in missing:
        talked = f" (discussed for {_duration(entry.spent_seconds)})" if entry.spent_seconds else " (not discussed)"
        items.append(f"{md.text(entry.key)} — {md.text(entry.title)}{talked}")
    lines.append(md.bullets(items))
    return "\n".join(lines)


def _criteria_changes(changes: Sequence[Any], since: dt.date | None) -> str:
    lines = ["## Changed success criteria", ""]
    if not changes:
        lines.append("No pre-registered success criteria were changed.")
        return "\n".join(lines)
    period = f" since the review of {since.isoformat()}" if since else ""
    lines.append(
        f"Success criteria are fixed when a pilot is approved; these were changed{period}, with the reason given:"
    )
    lines.append("")
    rows = [
        [
            md.text(c.key),
            md.text(c.title, limit=TITLE_IN_TABLE),
            c.field.replace("_", " "),
            md.text(c.before) or "—",
            md.text(c.after) or "—",
            md.text(c.reason),
            f"{md.text(c.changed_by)}, {c.changed_at.date().isoformat()}",
        ]
        for c in changes
    ]
    lines.append(md.table(["Key", "Initiative", "Criterion", "Before", "After", "Reason", "Changed by"], rows))
    return "\n".join(lines)


# ---------------------------------------------------------------------- small formats


def _stage_move(decision: Any) -> str:
    if decision.stage_before is decision.stage_after:
        return f"{decision.stage_before.label} (no change)"
    return f"{decision.stage_before.label} → {decision.stage_after.label}"


def _track_move(decision: Any) -> str:
    before = decision.track_before
    after = decision.track_after
    if after is None:
        return f"funding on the {before.label} track ends"
    if after is before:
        return f"budget stays on the {before.label} track"
    return f"budget moves from the {before.label} to the {after.label} track"


def _duration(seconds: int) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def _long_date(day: dt.date) -> str:
    """``Thursday 20 August 2026``, in English whatever the machine's locale."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _clock(moment: dt.datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


__all__ = ["default_filename", "render", "write_atomic"]
