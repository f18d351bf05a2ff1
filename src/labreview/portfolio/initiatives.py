"""Initiatives: create, edit, intake, pre-registered criteria, import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import false, select

from labreview.domain import decisions as decision_rules
from labreview.domain.errors import InvalidInput, PolicyRefusal
from labreview.domain.fields import (
    CRITERIA_FIELDS,
    EDITABLE_FIELDS,
    INTAKE_CHOICE_FIELDS,
    INTAKE_TEXT_FIELDS,
    LIMITS,
    check_key,
    check_money,
    clean_field,
    clean_text,
)
from labreview.domain.vocabulary import (
    Category,
    Stage,
    Track,
)
from labreview.portfolio.derived import Derived
from labreview.portfolio.views import (
    CriteriaChangeView,
    InitiativeView,
)
from labreview.store import queries
from labreview.store import rows as lookup
from labreview.store.models import (
    CriteriaChange,
    Initiative,
    Intake,
    Person,
    ReviewSession,
)
from labreview.store.portable import matchable
from labreview.store.rows import check_version, queryable


class Initiatives(Derived):
    """Initiatives: create, edit, intake, pre-registered criteria, import."""

    def create_initiative(
        self,
        key: str,
        title: str,
        *,
        stage: Stage | str = Stage.LAB,
        category: Category | str,
        owner: int | str,
        track: Track | str | None = None,
        sponsor: int | str | None = None,
        vendor: str = "",
        quarterly_cost: int = 0,
        renewal_date: dt.date | None = None,
        ai_heavy: bool = False,
        description: str = "",
        baseline: str = "",
        target_lift: str = "",
        test_period: str = "",
        operational_threshold: str = "",
        intake: Mapping[str, object] | None = None,
    ) -> InitiativeView:
        key = check_key(key)
        stage = Stage.parse(stage) if isinstance(stage, str) else stage
        category = Category.parse(category) if isinstance(category, str) else category
        track = (Track.parse(track) if isinstance(track, str) else track) or decision_rules.DEFAULT_TRACK[stage]
        with self.audited("create initiative") as rec:
            session = rec.session
            if session.scalars(select(Initiative).where(Initiative.key == key)).first():
                raise InvalidInput(f"{key} already exists; choose another key or edit {key}.")
            owner_row = lookup.person(session, owner)
            sponsor_row = lookup.person(session, sponsor) if sponsor not in (None, "") else None
            now = self.now()
            row = Initiative(
                key=key,
                title=clean_field("title", title),
                description=clean_field("description", description),
                stage=stage.value,
                category=category.value,
                track=track.value,
                owner_id=owner_row.id,
                sponsor_id=sponsor_row.id if sponsor_row else None,
                vendor=clean_field("vendor", vendor),
                quarterly_cost=check_money(quarterly_cost),
                renewal_date=renewal_date,
                ai_heavy=bool(ai_heavy),
                baseline=clean_field("baseline", baseline),
                target_lift=clean_field("target_lift", target_lift),
                test_period=clean_field("test_period", test_period),
                operational_threshold=clean_field("operational_threshold", operational_threshold),
                created_at=now,
                updated_at=now,
            )
            row.search_text = queries.search_text(key, row.title, owner_row.name, row.vendor, row.description)
            rec.add(row)
            values = _intake_values(intake or {})
            rec.add(Intake(initiative_id=row.id, **values))
            rec.summary = f"Created {key} “{row.title}” ({stage.label}, {category.label})"
            return self.initiative_view(session, row)

    def initiative(self, key: str) -> InitiativeView:
        with self.read() as session:
            return self.initiative_view(session, lookup.initiative(session, key))

    def first_key(self) -> str | None:
        """The first initiative in key order (where the app starts when no session is planned)."""
        with self.engine.connect() as connection:
            return connection.execute(select(Initiative.key).order_by(Initiative.key).limit(1)).scalar()

    def initiative_keys(self) -> list[str]:
        with self.read() as session:
            return list(session.execute(select(Initiative.key).order_by(Initiative.key)).scalars())

    def update_initiative(self, key: str, *, version: int | None = None, **fields: Any) -> InitiativeView:
        """Edit the descriptive fields (not the stage: stages change by decisions)."""
        unknown = set(fields) - set(EDITABLE_FIELDS) - {"owner", "sponsor"}
        if "stage" in unknown:
            raise PolicyRefusal("The stage changes only through a decision of the board (promote, kill, retire…).")
        if unknown:
            raise InvalidInput(f"Cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE_FIELDS)}.")
        with self.audited("edit initiative") as rec:
            session = rec.session
            row = lookup.initiative(session, key)
            check_version(row, version)
            values: dict[str, Any] = {}
            owner_name = None
            for name, value in fields.items():
                if name in ("owner", "owner_id"):
                    owner_row = lookup.person(session, value)
                    values["owner_id"], owner_name = owner_row.id, owner_row.name
                elif name in ("sponsor", "sponsor_id"):
                    values["sponsor_id"] = lookup.person(session, value).id if value not in (None, "") else None
                elif name == "title":
                    values[name] = clean_field("title", value)
                elif name in ("description", "vendor"):
                    values[name] = clean_field(name, value)
                elif name == "category":
                    values[name] = (Category.parse(value) if isinstance(value, str) else value).value
                elif name == "track":
                    values[name] = (Track.parse(value) if isinstance(value, str) else value).value
                elif name == "quarterly_cost":
                    values[name] = check_money(value)
                elif name == "ai_heavy":
                    values[name] = bool(value)
                elif name == "renewal_date":
                    values[name] = value
            if owner_name is None:
                owner_name = session.get(Person, values.get("owner_id", row.owner_id)).name
            values["search_text"] = queries.search_text(
                row.key,
                values.get("title", row.title),
                owner_name,
                values.get("vendor", row.vendor),
                values.get("description", row.description),
            )
            changed = [n for n in values if n != "search_text" and getattr(row, n) != values[n]]
            if changed:
                values["updated_at"] = self.now()
                rec.update(row, **values)
            rec.summary = f"Edited {row.key}: {', '.join(c.replace('_id', '').replace('_', ' ') for c in changed)}"
            return self.initiative_view(session, row)

    def import_initiatives(self, records: Sequence[Any], **options: Any) -> Any:
        """Upsert many initiatives in one audited transaction (``labreview import``); see ``importing``."""
        from labreview.portfolio.importing import import_initiatives  # deferred: only the import needs it

        return import_initiatives(self, records, **options)

    def set_intake(self, key: str, field: str, value: object, *, version: int | None = None) -> InitiativeView:
        """Set one of the six intake fields; choice fields take a value of DOMAIN.md's list."""
        if field in INTAKE_CHOICE_FIELDS:
            enum = INTAKE_CHOICE_FIELDS[field]
            stored = (
                None if value in (None, "") else (enum.parse(value) if isinstance(value, str) else enum(value)).value
            )
        elif field in INTAKE_TEXT_FIELDS:
            stored = clean_field(field, value)
        else:
            raise InvalidInput(f"'{field}' is not an intake field.")
        with self.audited("set intake") as rec:
            row = lookup.initiative(rec.session, key)
            intake = rec.session.get(Intake, row.id)
            check_version(intake, version)
            rec.update(intake, **{field: stored})
            rec.summary = f"Intake of {key}: {field.replace('_', ' ')} set"
            return self.initiative_view(rec.session, row)

    def set_success_criterion(
        self,
        key: str,
        field: str,
        value: str,
        *,
        reason: str = "",
        quarter: str | None = None,
        version: int | None = None,
    ) -> InitiativeView:
        """Set a pre-registered criterion; after pilot approval a change needs a reason, which is kept."""
        if field not in CRITERIA_FIELDS:
            raise InvalidInput(f"'{field}' is not a pre-registered criterion; use {', '.join(CRITERIA_FIELDS)}.")
        label = field.replace("_", " ")
        value = clean_field(field, value)
        reason = clean_text(reason, what="reason", limit=LIMITS["criterion reason"])
        with self.audited("set success criterion") as rec:
            session = rec.session
            row = lookup.initiative(session, key)
            check_version(row, version)
            before = getattr(row, field)
            if before == value:
                rec.summary = f"{key}: {label} unchanged"
                return self.initiative_view(session, row)
            if row.pilot_approved_on is not None:
                if not reason:
                    raise PolicyRefusal(
                        f"{key}'s success criteria were fixed at pilot approval on "
                        f"{row.pilot_approved_on.isoformat()}; changing the {label} needs a reason."
                    )
                session_row = lookup.session_row(session, quarter) if quarter else None
                rec.add(
                    CriteriaChange(
                        initiative_id=row.id,
                        session_id=session_row.id if session_row else None,
                        field=field,
                        before=before,
                        after=value,
                        reason=reason,
                        changed_at=self.now(),
                        changed_by=self.actor,
                    )
                )
            rec.update(row, **{field: value, "updated_at": self.now()})
            rec.summary = f"{key}: {label} set to “{value}”" + (f" (reason: {reason})" if reason else "")
            return self.initiative_view(session, row)

    def criteria_changes(self, *, key: str | None = None, quarter: str | None = None) -> list[CriteriaChangeView]:
        with self.read() as session:
            statement = (
                select(CriteriaChange, Initiative.key, ReviewSession.quarter)
                .join(Initiative, Initiative.id == CriteriaChange.initiative_id)
                .outerjoin(ReviewSession, ReviewSession.id == CriteriaChange.session_id)
                .order_by(CriteriaChange.changed_at, CriteriaChange.id)
            )
            if key:
                wanted = queryable(key)
                statement = statement.where(Initiative.key == wanted if matchable(wanted) else false())
            if quarter:
                statement = statement.where(ReviewSession.quarter == quarter)
            return [
                CriteriaChangeView(c.field, c.before, c.after, c.reason, c.changed_at, c.changed_by, q)
                for c, _k, q in session.execute(statement).all()
            ]


def _intake_values(values: Mapping[str, object]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in values.items():
        if name in INTAKE_CHOICE_FIELDS:
            enum = INTAKE_CHOICE_FIELDS[name]
            result[name] = (
                None if value in (None, "") else (enum.parse(value) if isinstance(value, str) else enum(value)).value
            )
        elif name in INTAKE_TEXT_FIELDS:
            result[name] = clean_field(name, value)
        else:
            raise InvalidInput(f"'{name}' is not an intake field.")
    return result
