"""The KPIs: the lab's and the factory's measures per quarter with the board's targets (read through
``kpi_facts``, computed by ``domain.kpis``), KPI readings recorded or imported, and the targets set.

Every change is one audited action, undone like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from labreview.domain import kpis
from labreview.domain.errors import DomainError, InvalidInput
from labreview.domain.fields import check_key
from labreview.domain.vocabulary import Quarter
from labreview.portfolio import kpi_facts
from labreview.portfolio.unit import Unit
from labreview.store import rows as lookup
from labreview.store.models import Initiative, KpiReading, ReviewSession, Setting


@dataclass(frozen=True)
class ReadingRow:
    """One row of a readings file: where it was, and its cells as typed."""

    line: int
    key: str
    quarter: str
    metric: str
    value: str


@dataclass(frozen=True)
class ReadingsReport:
    """What an import of readings did, or why it did nothing (``problems``, one per bad row, in words)."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: tuple[str, ...] = ()


class Kpis(Unit):
    """The KPI table, readings and targets."""

    def kpis(self, last: str | None = None, first: str | None = None, *, count: int = 4) -> kpi_facts.KpiView:
        """The KPI table of ``first``..``last`` (by default the ``count`` quarters up to the newest session's)."""
        with self.read() as session:
            if last is None:
                newest = session.scalars(select(ReviewSession.quarter).order_by(ReviewSession.quarter.desc())).first()
                last = newest or str(Quarter.of(self.today()))
            quarters = kpi_facts.quarter_range(first, str(Quarter.parse(last)), count)
            connection = session.connection()
            postgres = connection.dialect.name == "postgresql"

            def rows(sql: str, parameters: Sequence[Any]) -> list[Any]:
                statement = sql.replace("?", "%s") if postgres else sql
                return list(connection.exec_driver_sql(statement, tuple(parameters)).all())

            return kpi_facts.read(rows, quarters)

    def kpi_targets(self) -> tuple[dict[str, Decimal], str]:
        """The board's targets, and what of the stored value could not be read ("" when all of it could)."""
        with self.read() as session:
            row = session.get(Setting, kpis.TARGETS_SETTING)
        return kpis.parse_targets(row.value if row is not None else None)

    def set_kpi_targets(self, targets: Mapping[str, object], *, replace: bool = False) -> dict[str, Decimal]:
        """Set targets (metric → number; an empty value removes that metric's target). ``replace``: the given
        targets are all of them. Returns the targets now in force."""
        given = dict(targets)
        checked = kpis.check_targets(given)
        removed = {kpis.metric(name).key for name, value in given.items() if value is None or str(value).strip() == ""}
        current = {} if replace else self.kpi_targets()[0]
        merged = {k: v for k, v in {**current, **checked}.items() if k not in removed or k in checked}
        merged = {key: merged[key] for key in kpis.BY_KEY if key in merged}
        value = kpis.format_targets(merged)
        with self.audited("set KPI targets") as rec:
            shown = ", ".join(
                f"{kpis.BY_KEY[k].label} {kpis.format_value(kpis.BY_KEY[k], v)}" for k, v in merged.items()
            )
            rec.summary = f"KPI targets: {shown or 'none'}"
            row = rec.session.get(Setting, kpis.TARGETS_SETTING)
            if row is None:
                rec.add(Setting(key=kpis.TARGETS_SETTING, value=value))
            else:
                rec.update(row, value=value)
        return merged

    def record_kpi_reading(self, quarter: str, metric: str, value: object, key: str | None = None) -> Decimal:
        """Record one reading (replacing the one of the same quarter, metric and initiative); returns the value."""
        found, parsed_quarter, number = kpis.check_reading(metric, quarter, value)
        key = check_key(key) if key and key.strip() else None
        with self.audited("record KPI reading") as rec:
            initiative_id = lookup.initiative(rec.session, key).id if key else None
            self._put_reading(rec, str(parsed_quarter), found, number, initiative_id)
            where = f" of {key}" if key else ""
            rec.summary = f"KPI {parsed_quarter}: {found.label}{where} {kpis.format_value(found, number)}"
        return number

    def clear_kpi_reading(self, quarter: str, metric: str, key: str | None = None) -> None:
        """Remove the reading of ``metric`` in ``quarter`` (portfolio-wide, or of the initiative ``key``)."""
        found = kpis.read_metric(metric)
        quarter = str(Quarter.parse(quarter))
        key = check_key(key) if key and key.strip() else None
        with self.audited("clear KPI reading") as rec:
            initiative_id = lookup.initiative(rec.session, key).id if key else None
            row = self._reading(rec.session, quarter, found.key, initiative_id)
            where = f" of {key}" if key else ""
            if row is None:
                raise InvalidInput(f"There is no {found.label} reading{where} in {quarter} to clear.")
            rec.delete(row)
            rec.summary = f"KPI {quarter}: {found.label}{where} cleared"

    def kpi_readings(self, quarter: str) -> list[tuple[str, str | None, Decimal, dt.datetime, str]]:
        """The readings of ``quarter``: metric, initiative key (None: portfolio-wide), value, when, by whom."""
        quarter = str(Quarter.parse(quarter))
        with self.read() as session:
            found = session.execute(
                select(
                    KpiReading.metric, Initiative.key, KpiReading.value, KpiReading.recorded_at, KpiReading.recorded_by
                )
                .outerjoin(Initiative, Initiative.id == KpiReading.initiative_id)
                .where(KpiReading.quarter == quarter)
                .order_by(KpiReading.metric, Initiative.key)
            ).all()
        return [(m, k, Decimal(v), at, by) for m, k, v, at, by in found]

    def check_kpi_readings(self, rows: Iterable[ReadingRow]) -> ReadingsReport:
        """What ``import_kpi_readings`` would refuse, writing nothing (a dry run)."""
        _checked, _known, problems = self._check_readings(list(rows))
        return ReadingsReport(problems=tuple(problems))

    def import_kpi_readings(self, rows: Iterable[ReadingRow], *, source: str = "the file") -> ReadingsReport:
        """Record the readings of a file, all or nothing: a bad row (said with its line) stops the whole file;
        one audited action (undone as one)."""
        checked, known, problems = self._check_readings(list(rows))
        if problems:
            return ReadingsReport(problems=tuple(problems))
        added = changed = unchanged = 0
        with self.audited("import KPI readings") as rec:
            for _line, key, quarter, found, value in checked:
                outcome = self._put_reading(rec, quarter, found, value, known[key] if key else None)
                added += outcome == "added"
                changed += outcome == "changed"
                unchanged += outcome == "unchanged"
            rec.summary = f"Imported KPI readings from {source}: {added} added, {changed} changed"
        return ReadingsReport(added, changed, unchanged)

    def _check_readings(
        self, rows: list[ReadingRow]
    ) -> tuple[list[tuple[int, str | None, str, kpis.Metric, Decimal]], dict[str, int], list[str]]:
        problems: list[str] = []
        checked: list[tuple[int, str | None, str, kpis.Metric, Decimal]] = []
        seen: dict[tuple[str | None, str, str], int] = {}
        for row in rows:
            try:
                key = check_key(row.key) if row.key.strip() else None
                found, quarter, value = kpis.check_reading(row.metric, row.quarter, row.value)
            except DomainError as exc:
                problems.append(f"line {row.line}: {exc.message}")
                continue
            where = (key, str(quarter), found.key)
            if where in seen:
                problems.append(
                    f"line {row.line}: {found.label} of {key or 'the portfolio'} in {quarter} is already on "
                    f"line {seen[where]}; keep one."
                )
                continue
            seen[where] = row.line
            checked.append((row.line, key, str(quarter), found, value))
        if not rows:
            problems.append("the file has no readings (a header line key, quarter, metric, value and rows under it).")
        wanted = {key for _line, key, *_rest in checked if key}
        known: dict[str, int] = {}
        if wanted:
            with self.read() as session:
                known = dict(
                    session.execute(select(Initiative.key, Initiative.id).where(Initiative.key.in_(wanted))).all()
                )
        for line, key, *_rest in checked:
            if key and key not in known:
                problems.append(f"line {line}: there is no initiative {key}.")
        problems.sort(key=_line_of)
        return checked, known, problems

    def _put_reading(
        self, rec: Any, quarter: str, found: kpis.Metric, value: Decimal, initiative_id: int | None
    ) -> str:
        row = self._reading(rec.session, quarter, found.key, initiative_id)
        text = f"{value:f}"
        if row is None:
            rec.add(
                KpiReading(
                    quarter=quarter,
                    metric=found.key,
                    value=text,
                    initiative_id=initiative_id,
                    recorded_at=self.now(),
                    recorded_by=self._actor_in(rec.session),
                )
            )
            return "added"
        if row.value == text:
            return "unchanged"
        rec.update(row, value=text, recorded_at=self.now(), recorded_by=self._actor_in(rec.session))
        return "changed"

    @staticmethod
    def _reading(session: Any, quarter: str, metric: str, initiative_id: int | None) -> KpiReading | None:
        query = select(KpiReading).where(KpiReading.quarter == quarter, KpiReading.metric == metric)
        if initiative_id is None:
            query = query.where(KpiReading.initiative_id.is_(None))
        else:
            query = query.where(KpiReading.initiative_id == initiative_id)
        return session.scalars(query.order_by(KpiReading.id)).first()


def _line_of(problem: str) -> int:
    head = problem.split(":", 1)[0].removeprefix("line ")
    return int(head) if head.isdigit() else 0
