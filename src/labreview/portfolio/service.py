"""The use cases of the review meeting. One transaction each, audited in the same transaction.

Screens and the command line call these methods and render what they return.
Every refusal is a ``DomainError`` whose ``message`` is meant for a person;
when one is raised, nothing of the action has been written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session

from labreview.domain import access as access_rules
from labreview.domain import budget as budget_rules
from labreview.domain import carryover, scoring
from labreview.domain import decisions as decision_rules
from labreview.domain import gates as gate_rules
from labreview.domain.errors import DomainError, InvalidInput, NotFound, PolicyRefusal, StaleEdit, StorageError
from labreview.domain.fields import (
    CRITERIA_FIELDS,
    EDITABLE_FIELDS,
    INTAKE_CHOICE_FIELDS,
    INTAKE_TEXT_FIELDS,
    LIMITS,
    NAME_LIMIT,
    check_key,
    check_money,
    check_name,
    clean_field,
    clean_text,
)
from labreview.domain.vocabulary import (
    AI_CHECKS,
    DEFAULT_SETTINGS,
    AccessStatus,
    AccessTier,
    ActionStatus,
    BoardRole,
    Capacity,
    Category,
    CheckState,
    Criterion,
    DataSensitivity,
    DecisionOutcome,
    Gate,
    IntegrationScope,
    Quarter,
    SessionStatus,
    Stage,
    SuccessMetric,
    Track,
    format_money,
)
from labreview.portfolio import ledger
from labreview.portfolio.backlog_index import BacklogIndex
from labreview.portfolio.views import (
    AccessRequestView,
    ActionItemView,
    AgendaEntry,
    AuditEntry,
    BacklogPage,
    BacklogRow,
    BudgetLineView,
    BudgetView,
    ChecklistView,
    CriteriaChangeView,
    DecisionView,
    InitiativeView,
    IntakeView,
    NewActionItem,
    PersonView,
    ScoreSheet,
    SessionView,
    SignatureView,
    TemplateItemView,
)
from labreview.store import queries
from labreview.store.engine import make_engine, writer
from labreview.store.models import (
    AccessRequest,
    AccessSignature,
    ActionItem,
    AgendaItem,
    Attendee,
    AuditEvent,
    BudgetEnvelope,
    BudgetLine,
    CriteriaChange,
    Decision,
    GateCheck,
    GateTemplateItem,
    Initiative,
    Intake,
    Person,
    ReviewSession,
    Score,
    Setting,
)

UNATTRIBUTED = "nobody named (no session, no --as)"
"""The audit log's actor when no person is named and no session is planned or open."""
WEIGHTS_SETTING = "weights"
"""The setting that holds the portfolio's criterion weights (``scoring.format_weights``)."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class _Ctx:
    """The rows an action works on, loaded once."""

    session: ReviewSession
    initiative: Initiative


class Portfolio:
    """A portfolio database and the person acting on it."""

    def __init__(
        self,
        engine: Engine,
        *,
        actor: str | None = "facilitator",
        clock: Callable[[], dt.datetime] = utc_now,
        weights: Mapping[Criterion, object] | None = None,
        read_only: bool = False,
    ) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self._actor = actor or None
        """Who acts through this object; None: the facilitator of the open (else the next) session."""
        self._clock = clock
        self._weights = scoring.validate_weights(weights) if weights else None
        """Weights given by the caller (a what-if, a benchmark); None: the portfolio's stored weights."""
        self.read_only = read_only
        self._mine: list[int] = []
        """The audit ids of the changes made through this object: what its undo may take back (another app
        on the same file, even under the same name, has its own)."""

    @property
    def actor(self) -> str:
        """Who the audit log names for every change made through this object.

        A name given when opening (``--as NAME``), else the facilitator of the open session, else of
        the next planned one, else of the latest one; before any session exists, ``UNATTRIBUTED``
        (an action that plans the first session names its facilitator). Never the login name.
        """
        if self._actor:
            return self._actor
        with self._read() as session:
            return self._actor_in(session)

    def _actor_in(self, session: Session) -> str:
        if self._actor:
            return self._actor
        rows = session.execute(
            select(ReviewSession.status, Person.name)
            .join(Person, Person.id == ReviewSession.facilitator_id)
            .where(ReviewSession.status.in_((SessionStatus.OPEN.value, SessionStatus.PLANNED.value)))
            .order_by(ReviewSession.quarter)
        ).all()
        for status in (SessionStatus.OPEN.value, SessionStatus.PLANNED.value):
            for found, name in rows:
                if found == status:
                    return name
        latest = session.execute(
            select(Person.name)
            .join(ReviewSession, ReviewSession.facilitator_id == Person.id)
            .order_by(ReviewSession.quarter.desc())
            .limit(1)
        ).scalar()
        return latest or UNATTRIBUTED

    @actor.setter
    def actor(self, name: str | None) -> None:
        self._actor = name or None

    def act_as(self, name: str) -> PersonView:
        """Make ``name``, a person of the portfolio, the one the audit log names from now on."""
        with self._read() as session:
            person = _person(self._find_person(session, name))
        self._actor = person.name
        return person

    @classmethod
    def open(cls, target: str | Path, *, create: bool = False, checked: bool = False, **options: Any) -> Portfolio:
        """Check, create or upgrade the database at ``target`` and open it.

        ``checked``: the caller has just done that (the command line, before the app starts); skip it.
        """
        from labreview.store.database import prepare

        read_only = bool(options.get("read_only", False))
        if not checked:
            prepare(target, create=create and not read_only, read_only=read_only)
        portfolio = cls(make_engine(target, read_only=read_only), **options)
        if create and not read_only:
            portfolio.ensure_defaults()
        return portfolio

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ plumbing

    def now(self) -> dt.datetime:
        return self._clock()

    def today(self) -> dt.date:
        """The day dates are derived from: the day the open session started, else the clock's day.

        In a meeting, a next review, a request's date or an action's due date follow the session's
        day, whatever the clock says while the record is written up.
        """
        with self._read() as session:
            started = session.execute(
                select(ReviewSession.started_at).where(ReviewSession.status == SessionStatus.OPEN.value).limit(1)
            ).scalar()
        return started.date() if started is not None else self.now().date()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with Session(self.engine) as session:
                yield session
        except DomainError:
            raise
        except DatabaseError as exc:  # damaged, gone, unreadable: said in words like a failed write
            raise _storage_error(exc) from exc

    @contextmanager
    def _action(self, action: str) -> Iterator[ledger.Recorder]:
        """One audited transaction. ``recorder.summary`` must be set by the caller."""
        if self.read_only:
            raise StorageError("This portfolio is open read-only; nothing can be changed.")
        try:
            with Session(self._writer, expire_on_commit=False) as session:
                actor = self._actor_in(session)  # who acts is who it was when the action began (end session)
                recorder = ledger.Recorder(session)
                yield recorder
                event = None
                if recorder.changes:
                    if actor == UNATTRIBUTED:  # the action planned the first session: its facilitator
                        actor = self._actor_in(session)
                    event = ledger.append(
                        session,
                        at=self.now(),
                        actor=actor,
                        action=action,
                        summary=getattr(recorder, "summary", action),
                        changes=recorder.changes,
                        undoes_id=recorder.undoes_id,
                    )
                session.commit()
                if event is not None and action != "undo":
                    self._mine.append(event.id)
        except DomainError:
            raise
        except IntegrityError as exc:
            raise InvalidInput(f"That change conflicts with a record already there ({_first_line(exc)}).") from exc
        except DatabaseError as exc:  # locked, full, read-only, damaged: said in words, nothing was saved
            raise _storage_error(exc) from exc

    def _plain_write(self, statement: Any) -> None:
        """A bookkeeping write that is not a governance action (timer, agenda cursor): not audited."""
        if self.read_only:
            return
        try:
            with self._writer.begin() as connection:
                connection.execute(statement)
        except DatabaseError as exc:
            raise _storage_error(exc) from exc

    # ------------------------------------------------------------------ settings

    def ensure_defaults(self) -> None:
        """Settings and gate templates for a new portfolio (idempotent)."""
        with self._read() as session:
            have_settings = {s.key for s in session.scalars(select(Setting))}
            have_templates = session.execute(select(func.count()).select_from(GateTemplateItem)).scalar_one()
        missing = {k: v for k, v in DEFAULT_SETTINGS.items() if k not in have_settings}
        if not missing and have_templates:
            return
        with self._action("set up portfolio") as rec:
            rec.summary = "Set up the portfolio with default settings and gate templates"
            for key, value in missing.items():
                rec.add(Setting(key=key, value=value))
            if not have_templates:
                for gate, texts in gate_rules.DEFAULT_TEMPLATES.items():
                    for position, text in enumerate(texts, 1):
                        rec.add(GateTemplateItem(gate=int(gate), position=position, text=text))
                for position, text in enumerate(AI_CHECKS, 100):
                    rec.add(GateTemplateItem(gate=int(Gate.PILOT_APPROVAL), position=position, text=text, ai_only=True))

    def settings(self) -> dict[str, str]:
        with self._read() as session:
            stored = {s.key: s.value for s in session.scalars(select(Setting))}
        return {**DEFAULT_SETTINGS, **stored}

    @property
    def name(self) -> str:
        return self.settings()["name"]

    @property
    def currency(self) -> str:
        return self.settings()["currency"]

    def target_mix(self) -> budget_rules.TargetMix:
        return budget_rules.TargetMix.parse(self.settings()["target_mix"])

    def set_setting(self, key: str, value: str) -> None:
        if key not in DEFAULT_SETTINGS:
            raise InvalidInput(f"Unknown setting '{key}'; settings are: {', '.join(DEFAULT_SETTINGS)}.")
        value = clean_text(value, what=key, limit=LIMITS["setting"], required=True)
        if key == "target_mix":
            value = str(budget_rules.TargetMix.parse(value))
        if key == "currency" and not re.fullmatch(r"[A-Z]{3}", value):
            raise InvalidInput(f"A currency is a three-letter code such as EUR or USD; got '{value}'.")
        with self._action("set setting") as rec:
            rec.summary = f"Set {key} to {value}"
            row = rec.session.get(Setting, key)
            if row is None:
                rec.add(Setting(key=key, value=value))
            else:
                rec.update(row, value=value)

    # ------------------------------------------------------------------ people

    def people(self) -> list[PersonView]:
        with self._read() as session:
            rows = session.scalars(select(Person).where(Person.active).order_by(Person.name))
            return [_person(p) for p in rows]

    def board(self) -> list[PersonView]:
        return [p for p in self.people() if p.role is not None]

    def person(self, ref: int | str) -> PersonView:
        with self._read() as session:
            return _person(self._find_person(session, ref))

    def add_person(self, name: str, role: BoardRole | str | None = None, email: str = "") -> PersonView:
        name = clean_text(name, what="name", limit=NAME_LIMIT, required=True)
        role = BoardRole.parse(role) if isinstance(role, str) and role else role
        with self._action("add person") as rec:
            if rec.session.scalars(select(Person).where(Person.name == name)).first():
                raise InvalidInput(f"{name} is already in the portfolio.")
            email = clean_text(email, what="email address", limit=LIMITS["email"])
            person = rec.add(Person(name=name, board_role=role.value if role else None, email=email))
            rec.summary = f"Added {name}" + (f" ({role.label})" if role else "")
            return _person(person)

    def add_board_member(self, name: str, role: BoardRole | str, email: str = "") -> PersonView:
        """Put a person on the board in ``role``: a new person, or one already known (e.g. an owner)."""
        name = check_name(name)
        role = BoardRole.parse(role) if isinstance(role, str) else role
        with self._action("add board member") as rec:
            person = rec.session.scalars(select(Person).where(func.lower(Person.name) == name.lower())).first()
            if person is None:
                person = rec.add(Person(name=name, board_role=role.value, email=email.strip()))
            elif person.board_role == role.value:
                raise InvalidInput(f"{person.name} is already on the board as {role.label}.")
            else:
                rec.update(person, board_role=role.value, email=email.strip() or person.email)
            rec.summary = f"{person.name} joined the board as {role.label}"
            return _person(person)

    def _find_person(self, session: Session, ref: int | str) -> Person:
        if isinstance(ref, int):
            person = session.get(Person, ref)
        else:
            wanted = ref.strip().lower()
            candidates = [p for p in session.scalars(select(Person)) if wanted in p.name.lower()]
            exact = [p for p in candidates if p.name.lower() == wanted]
            if len(candidates) > 1 and not exact:
                names = ", ".join(p.name for p in candidates[:5])
                raise InvalidInput(f"'{ref}' matches several people ({names}); write more of the name.")
            person = (exact or candidates or [None])[0]
        if person is None:
            raise NotFound(f"Nobody called '{ref}' is in the portfolio.")
        return person

    # ------------------------------------------------------------------ initiatives

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
        with self._action("create initiative") as rec:
            session = rec.session
            if session.scalars(select(Initiative).where(Initiative.key == key)).first():
                raise InvalidInput(f"{key} already exists; choose another key or edit {key}.")
            owner_row = self._find_person(session, owner)
            sponsor_row = self._find_person(session, sponsor) if sponsor not in (None, "") else None
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
            return self._initiative_view(session, row)

    def initiative(self, key: str) -> InitiativeView:
        with self._read() as session:
            return self._initiative_view(session, self._find_initiative(session, key))

    def first_key(self) -> str | None:
        """The first initiative in key order (where the app starts when no session is planned)."""
        with self.engine.connect() as connection:
            return connection.execute(select(Initiative.key).order_by(Initiative.key).limit(1)).scalar()

    def initiative_keys(self) -> list[str]:
        with self._read() as session:
            return list(session.execute(select(Initiative.key).order_by(Initiative.key)).scalars())

    def update_initiative(self, key: str, *, version: int | None = None, **fields: Any) -> InitiativeView:
        """Edit the descriptive fields (not the stage: stages change by decisions)."""
        unknown = set(fields) - set(EDITABLE_FIELDS) - {"owner", "sponsor"}
        if "stage" in unknown:
            raise PolicyRefusal("The stage changes only through a decision of the board (promote, kill, retire…).")
        if unknown:
            raise InvalidInput(f"Cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE_FIELDS)}.")
        with self._action("edit initiative") as rec:
            session = rec.session
            row = self._find_initiative(session, key)
            _check_version(row, version)
            values: dict[str, Any] = {}
            owner_name = None
            for name, value in fields.items():
                if name in ("owner", "owner_id"):
                    owner_row = self._find_person(session, value)
                    values["owner_id"], owner_name = owner_row.id, owner_row.name
                elif name in ("sponsor", "sponsor_id"):
                    values["sponsor_id"] = self._find_person(session, value).id if value not in (None, "") else None
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
            return self._initiative_view(session, row)

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
        with self._action("set intake") as rec:
            row = self._find_initiative(rec.session, key)
            intake = rec.session.get(Intake, row.id)
            _check_version(intake, version)
            rec.update(intake, **{field: stored})
            rec.summary = f"Intake of {key}: {field.replace('_', ' ')} set"
            return self._initiative_view(rec.session, row)

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
        with self._action("set success criterion") as rec:
            session = rec.session
            row = self._find_initiative(session, key)
            _check_version(row, version)
            before = getattr(row, field)
            if before == value:
                rec.summary = f"{key}: {label} unchanged"
                return self._initiative_view(session, row)
            if row.pilot_approved_on is not None:
                if not reason:
                    raise PolicyRefusal(
                        f"{key}'s success criteria were fixed at pilot approval on "
                        f"{row.pilot_approved_on.isoformat()}; changing the {label} needs a reason."
                    )
                session_row = self._session_row(session, quarter) if quarter else None
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
            return self._initiative_view(session, row)

    def criteria_changes(self, *, key: str | None = None, quarter: str | None = None) -> list[CriteriaChangeView]:
        with self._read() as session:
            statement = (
                select(CriteriaChange, Initiative.key, ReviewSession.quarter)
                .join(Initiative, Initiative.id == CriteriaChange.initiative_id)
                .outerjoin(ReviewSession, ReviewSession.id == CriteriaChange.session_id)
                .order_by(CriteriaChange.changed_at, CriteriaChange.id)
            )
            if key:
                statement = statement.where(Initiative.key == _queryable(key))
            if quarter:
                statement = statement.where(ReviewSession.quarter == quarter)
            return [
                CriteriaChangeView(c.field, c.before, c.after, c.reason, c.changed_at, c.changed_by, q)
                for c, _k, q in session.execute(statement).all()
            ]

    def _find_initiative(self, session: Session, key: str) -> Initiative:
        wanted = _queryable(str(key).strip().upper())
        row = session.scalars(select(Initiative).where(Initiative.key == wanted)).first()
        if row is None:
            raise NotFound(f"There is no initiative {_queryable(str(key))}.")
        return row

    def _initiative_view(self, session: Session, row: Initiative) -> InitiativeView:
        intake = session.get(Intake, row.id) or Intake(initiative_id=row.id)
        owner = session.get(Person, row.owner_id)
        sponsor = session.get(Person, row.sponsor_id) if row.sponsor_id else None
        return InitiativeView(
            id=row.id,
            key=row.key,
            title=row.title,
            description=row.description,
            stage=Stage(row.stage),
            category=Category(row.category),
            track=Track(row.track),
            owner=_person(owner),
            sponsor=_person(sponsor) if sponsor else None,
            vendor=row.vendor,
            quarterly_cost=row.quarterly_cost,
            renewal_date=row.renewal_date,
            ai_heavy=row.ai_heavy,
            baseline=row.baseline,
            target_lift=row.target_lift,
            test_period=row.test_period,
            operational_threshold=row.operational_threshold,
            pilot_approved_on=row.pilot_approved_on,
            current_gate=Gate(row.current_gate) if row.current_gate else None,
            access_tier=AccessTier(row.access_tier) if row.access_tier else None,
            last_outcome=DecisionOutcome(row.last_outcome) if row.last_outcome else None,
            last_quarter=row.last_quarter,
            version=row.version,
            intake=IntakeView(
                business_objective=intake.business_objective,
                user_group=intake.user_group,
                data_sensitivity=DataSensitivity(intake.data_sensitivity) if intake.data_sensitivity else None,
                integration_scope=IntegrationScope(intake.integration_scope) if intake.integration_scope else None,
                success_metric=SuccessMetric(intake.success_metric) if intake.success_metric else None,
                exit_plan=intake.exit_plan,
                version=intake.version,
            ),
        )

    # ------------------------------------------------------------------ backlog

    def backlog(
        self,
        filters: queries.Filters,
        order: queries.Order | None = None,
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> BacklogPage:
        """One window of the backlog and the number of rows matching ``filters``."""
        order = order or queries.Order()
        order = queries.Order(order.column, order.descending, order.group_by_stage, self._weights_by_column())
        with self.engine.connect() as connection:
            rows = queries.page(connection, filters, order, offset, limit)
            total = queries.count(connection, filters)
        return BacklogPage(tuple(_backlog_row(r) for r in rows), offset, total)

    def find_initiatives(self, text: str, limit: int = 12) -> list[tuple[str, str, str]]:
        """(key, title, stage) of initiatives whose key starts with, or whose text contains, ``text``."""
        wanted = _queryable(text.strip().lower())
        if not wanted:
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(Initiative.key, Initiative.title, Initiative.stage)
                .where(func.instr(Initiative.search_text, wanted) > 0)
                .order_by(func.instr(func.lower(Initiative.key), wanted) != 1, Initiative.key)
                .limit(limit)
            ).all()
        return [(k, t, s) for k, t, s in rows]

    def backlog_index(self, filters: queries.Filters, order: queries.Order) -> list[int]:
        """Ids of every initiative matching ``filters`` in display order; pair with ``backlog_rows_by_id``."""
        order = queries.Order(order.column, order.descending, order.group_by_stage, self._weights_by_column())
        with self.engine.connect() as connection:
            return queries.index(connection, filters, order)

    def backlog_page(self, filters: queries.Filters, order: queries.Order, offset: int, limit: int) -> list[BacklogRow]:
        """One window of the backlog from SQL (LIMIT/OFFSET), without counting."""
        order = queries.Order(order.column, order.descending, order.group_by_stage, self._weights_by_column())
        with self.engine.connect() as connection:
            return [_backlog_row(r) for r in queries.page(connection, filters, order, offset, limit)]

    def backlog_memory_index(self) -> BacklogIndex:
        """The backlog's filter and sort columns in memory (see ``portfolio.backlog_index``)."""
        with self.engine.connect() as connection, connection.begin():  # one snapshot for the mark and the rows
            mark = connection.execute(select(func.max(AuditEvent.id))).scalar() or 0
            index = BacklogIndex.build(
                queries.backlog_columns(connection), queries.backlog_search_text(connection), self._weights_by_column()
            )
            index.order_titles(queries.backlog_title_order(connection))
        index.mark = mark
        return index

    def backlog_memory_refresh(self, index: BacklogIndex) -> BacklogIndex:
        """``index`` brought up to date: the initiatives changed since its mark (from the audit log) are
        read again; a change the log cannot pin down (a bulk import, a renamed person) reloads everything."""
        try:
            return self._refresh_index(index)
        except DatabaseError as exc:
            raise _storage_error(exc) from exc

    def _refresh_index(self, index: BacklogIndex) -> BacklogIndex:
        with self.engine.connect() as connection, connection.begin():
            events = connection.execute(
                select(AuditEvent.id, AuditEvent.changes).where(AuditEvent.id > index.mark).order_by(AuditEvent.id)
            ).all()
            if not events:
                return index
            touched: set[int] = set()
            titles = False
            for _event_id, payload in events:
                for change in json.loads(payload):
                    if change.get("op") == "bulk" or change.get("table") == "person":
                        return self.backlog_memory_index()
                    if change.get("table") == "initiative":
                        touched.add(int(change["key"]["id"]))
                        titles = titles or change.get("op") != "update" or "title" in (change.get("after") or {})
            if touched:
                index.patch(queries.backlog_columns(connection, sorted(touched)), touched)
            if titles:
                index.order_titles(queries.backlog_title_order(connection))
            index.mark = events[-1][0]
        return index

    def backlog_rows_by_id(self, ids: Sequence[int], agenda_session: int | None = None) -> list[BacklogRow]:
        with self.engine.connect() as connection:
            return [
                _backlog_row(r) for r in queries.rows_by_id(connection, ids, agenda_session, self._weights_by_column())
            ]

    def backlog_count(self, filters: queries.Filters) -> int:
        with self.engine.connect() as connection:
            return queries.count(connection, filters)

    def backlog_stage_counts(self, filters: queries.Filters) -> dict[Stage, int]:
        with self.engine.connect() as connection:
            counts = queries.counts_by_stage(connection, filters)
        return {stage: counts.get(stage.value, 0) for stage in Stage}

    def _weights_by_column(self) -> dict[str, float]:
        return {f"score_{c.value.replace('-', '_')}": float(w) for c, w in self.weights.items()}

    # ------------------------------------------------------------------ sessions and agenda

    def sessions(self) -> list[SessionView]:
        with self._read() as session:
            rows = session.scalars(select(ReviewSession).order_by(ReviewSession.quarter)).all()
            return [self._session_view(session, r) for r in rows]

    def session(self, quarter: str) -> SessionView:
        with self._read() as session:
            return self._session_view(session, self._session_row(session, quarter))

    def active_session(self) -> SessionView | None:
        """The open session; else the next planned one; else the latest."""
        with self._read() as session:
            rows = session.scalars(select(ReviewSession).order_by(ReviewSession.quarter)).all()
            for status in (SessionStatus.OPEN, SessionStatus.PLANNED):
                chosen = [r for r in rows if r.status == status.value]
                if chosen:
                    return self._session_view(session, chosen[0])
            return self._session_view(session, rows[-1]) if rows else None

    def create_session(
        self,
        quarter: str,
        *,
        held_on: dt.date,
        facilitator: int | str,
        attendees: Iterable[int | str] = (),
        timebox_minutes: int = 8,
    ) -> SessionView:
        quarter = str(Quarter.parse(quarter))
        if not (1 <= timebox_minutes <= 120):
            raise InvalidInput(f"A timebox is 1 to 120 minutes; got {timebox_minutes}.")
        with self._action("create session") as rec:
            session = rec.session
            if session.scalars(select(ReviewSession).where(ReviewSession.quarter == quarter)).first():
                raise InvalidInput(f"There is already a {quarter} session.")
            lead = self._find_person(session, facilitator)
            row = rec.add(
                ReviewSession(
                    quarter=quarter,
                    held_on=held_on,
                    facilitator_id=lead.id,
                    timebox_seconds=timebox_minutes * 60,
                )
            )
            seen: set[int] = set()
            for ref in attendees:
                person = self._find_person(session, ref)
                if person.id not in seen:
                    seen.add(person.id)
                    rec.add(Attendee(session_id=row.id, person_id=person.id))
            rec.summary = f"Planned the {quarter} session on {held_on.isoformat()} with {len(seen)} attendees"
            return self._session_view(session, row)

    def start_session(self, quarter: str) -> SessionView:
        with self._action("start session") as rec:
            session = rec.session
            row = self._session_row(session, quarter)
            if row.status == SessionStatus.OPEN.value:
                rec.summary = f"{row.quarter} session already open"
                return self._session_view(session, row)
            if row.status == SessionStatus.CLOSED.value:
                raise PolicyRefusal(f"The {row.quarter} session has ended; its record is closed.")
            other = session.scalars(
                select(ReviewSession).where(ReviewSession.status == SessionStatus.OPEN.value)
            ).first()
            if other is not None:
                raise PolicyRefusal(f"The {other.quarter} session is still open; end it before starting {row.quarter}.")
            first = session.scalars(
                select(AgendaItem).where(AgendaItem.session_id == row.id).order_by(AgendaItem.position)
            ).first()
            rec.update(
                row,
                status=SessionStatus.OPEN.value,
                started_at=self.now(),
                current_item_id=row.current_item_id or (first.id if first else None),
            )
            rec.summary = f"Started the {row.quarter} session"
            return self._session_view(session, row)

    def end_session(self, quarter: str) -> SessionView:
        with self._action("end session") as rec:
            session = rec.session
            row = self._session_row(session, quarter)
            if row.status != SessionStatus.OPEN.value:
                raise PolicyRefusal(f"The {row.quarter} session is {row.status}, not open.")
            rec.update(row, status=SessionStatus.CLOSED.value, ended_at=self.now())
            rec.summary = f"Ended the {row.quarter} session"
            return self._session_view(session, row)

    def set_attendance(self, quarter: str, person: int | str, present: bool) -> SessionView:
        with self._action("set attendance") as rec:
            session = rec.session
            row = self._session_row(session, quarter)
            _require_not_closed(row)
            who = self._find_person(session, person)
            existing = session.get(Attendee, (row.id, who.id))
            if present and existing is None:
                rec.add(Attendee(session_id=row.id, person_id=who.id))
            elif not present and existing is not None:
                rec.delete(existing)
            rec.summary = f"{who.name} {'attends' if present else 'does not attend'} the {row.quarter} session"
            return self._session_view(session, row)

    def toggle_agenda(self, quarter: str, key: str) -> SessionView:
        """Add the initiative at the end of the agenda, or take it off."""
        with self._action("change agenda") as rec:
            session = rec.session
            row = self._session_row(session, quarter)
            _require_not_closed(row)
            initiative = self._find_initiative(session, key)
            item = session.scalars(
                select(AgendaItem).where(AgendaItem.session_id == row.id, AgendaItem.initiative_id == initiative.id)
            ).first()
            if item is None:
                last = session.execute(
                    select(func.max(AgendaItem.position)).where(AgendaItem.session_id == row.id)
                ).scalar_one()
                rec.add(
                    AgendaItem(
                        session_id=row.id,
                        initiative_id=initiative.id,
                        position=(last or 0) + 1,
                        timebox_seconds=row.timebox_seconds,
                    )
                )
                rec.summary = f"Put {initiative.key} on the {row.quarter} agenda"
            else:
                if self._decision_row(session, row.id, initiative.id) is not None:
                    raise PolicyRefusal(f"{initiative.key} has a decision in this session; undo it before removing it.")
                if row.current_item_id == item.id:
                    rec.update(row, current_item_id=None)
                rec.delete(item)
                rec.summary = f"Took {initiative.key} off the {row.quarter} agenda"
            return self._session_view(session, row)

    def move_agenda_item(self, quarter: str, key: str, delta: int) -> SessionView:
        with self._action("reorder agenda") as rec:
            session = rec.session
            row = self._session_row(session, quarter)
            _require_not_closed(row)
            items = list(
                session.scalars(select(AgendaItem).where(AgendaItem.session_id == row.id).order_by(AgendaItem.position))
            )
            initiative = self._find_initiative(session, key)
            index = next((i for i, it in enumerate(items) if it.initiative_id == initiative.id), None)
            if index is None:
                raise NotFound(f"{initiative.key} is not on the {row.quarter} agenda.")
            target = max(0, min(len(items) - 1, index + delta))
            if target != index:
                items.insert(target, items.pop(index))
                # Two passes keep positions unique at every flush.
                for offset, item in enumerate(items):
                    if item.position != offset + 1:
                        rec.update(item, position=-(offset + 1))
                for item in items:
                    if item.position < 0:
                        rec.update(item, position=-item.position)
            rec.summary = f"Moved {initiative.key} to position {target + 1} of the {row.quarter} agenda"
            return self._session_view(session, row)

    def set_current_item(self, quarter: str, key: str | None) -> None:
        """Remember which agenda item the meeting is on (so that a restart resumes there)."""
        with self._read() as session:
            row = self._session_row(session, quarter)
            item_id = None
            if key is not None:
                initiative = self._find_initiative(session, key)
                item_id = session.execute(
                    select(AgendaItem.id).where(
                        AgendaItem.session_id == row.id, AgendaItem.initiative_id == initiative.id
                    )
                ).scalar()
        table = ReviewSession.__table__
        self._plain_write(update(table).where(table.c.id == row.id).values(current_item_id=item_id))

    def add_time(self, quarter: str, key: str, seconds: int) -> None:
        """Add discussion time to an agenda item (the timebox clock)."""
        if seconds <= 0:
            return
        with self._read() as session:
            row = self._session_row(session, quarter)
            initiative = self._find_initiative(session, key)
        table = AgendaItem.__table__
        self._plain_write(
            update(table)
            .where(table.c.session_id == row.id, table.c.initiative_id == initiative.id)
            .values(spent_seconds=table.c.spent_seconds + int(seconds))
        )

    def set_timebox(self, quarter: str, key: str, minutes: int) -> SessionView:
        if not (1 <= minutes <= 120):
            raise InvalidInput(f"A timebox is 1 to 120 minutes; got {minutes}.")
        with self._action("set timebox") as rec:
            session = rec.session
            row = self._session_row(session, quarter)
            initiative = self._find_initiative(session, key)
            item = session.scalars(
                select(AgendaItem).where(AgendaItem.session_id == row.id, AgendaItem.initiative_id == initiative.id)
            ).first()
            if item is None:
                raise NotFound(f"{initiative.key} is not on the {row.quarter} agenda.")
            rec.update(item, timebox_seconds=minutes * 60)
            rec.summary = f"Timebox of {initiative.key} set to {minutes} minutes"
            return self._session_view(session, row)

    def _session_row(self, session: Session, quarter: str) -> ReviewSession:
        quarter = str(Quarter.parse(quarter))
        row = session.scalars(select(ReviewSession).where(ReviewSession.quarter == quarter)).first()
        if row is None:
            raise NotFound(f"There is no {quarter} session.")
        return row

    def _open_session(self, session: Session, quarter: str) -> ReviewSession:
        row = self._session_row(session, quarter)
        if row.status == SessionStatus.PLANNED.value:
            raise PolicyRefusal(f"The {row.quarter} session has not started; start it first.")
        if row.status == SessionStatus.CLOSED.value:
            raise PolicyRefusal(f"The {row.quarter} session has ended; its record is closed.")
        return row

    def _attendee_ids(self, session: Session, session_id: int) -> set[int]:
        return set(session.execute(select(Attendee.person_id).where(Attendee.session_id == session_id)).scalars())

    def _session_view(self, session: Session, row: ReviewSession) -> SessionView:
        attendees = session.scalars(
            select(Person)
            .join(Attendee, Attendee.person_id == Person.id)
            .where(Attendee.session_id == row.id)
            .order_by(Person.name)
        ).all()
        decided = dict(
            session.execute(select(Decision.initiative_id, Decision.outcome).where(Decision.session_id == row.id)).all()
        )
        agenda_rows = session.execute(
            select(AgendaItem, Initiative.key, Initiative.title, Initiative.stage)
            .join(Initiative, Initiative.id == AgendaItem.initiative_id)
            .where(AgendaItem.session_id == row.id)
            .order_by(AgendaItem.position)
        ).all()
        agenda = tuple(
            AgendaEntry(
                id=item.id,
                position=item.position,
                key=key,
                title=title,
                stage=Stage(stage),
                timebox_seconds=item.timebox_seconds,
                spent_seconds=item.spent_seconds,
                decided=DecisionOutcome(decided[item.initiative_id]) if item.initiative_id in decided else None,
                carried_reason=item.carried_reason,
            )
            for item, key, title, stage in agenda_rows
        )
        current_key = next((e.key for e in agenda if e.id == row.current_item_id), None)
        return SessionView(
            id=row.id,
            quarter=row.quarter,
            held_on=row.held_on,
            facilitator=_person(session.get(Person, row.facilitator_id)),
            status=SessionStatus(row.status),
            timebox_seconds=row.timebox_seconds,
            attendees=tuple(_person(p) for p in attendees),
            agenda=agenda,
            current_key=current_key,
            started_at=row.started_at,
            ended_at=row.ended_at,
        )

    # ------------------------------------------------------------------ scores

    def record_score(
        self, quarter: str, key: str, reviewer: int | str, criterion: Criterion | str, value: object
    ) -> ScoreSheet:
        """Record (or change) one reviewer's score of one criterion."""
        criterion = Criterion.parse(criterion) if isinstance(criterion, str) else Criterion(criterion)
        score = scoring.validate_score(value)
        with self._action("record score") as rec:
            session = rec.session
            row = self._open_session(session, quarter)
            initiative = self._find_initiative(session, key)
            board = self._board_attending(session, row.id)
            who = self._check_reviewer(session, row, reviewer, board)
            existing = session.scalars(
                select(Score).where(
                    Score.session_id == row.id,
                    Score.initiative_id == initiative.id,
                    Score.reviewer_id == who.id,
                    Score.criterion == criterion.value,
                )
            ).first()
            if existing is None:
                rec.add(
                    Score(
                        session_id=row.id,
                        initiative_id=initiative.id,
                        reviewer_id=who.id,
                        criterion=criterion.value,
                        value=score,
                        recorded_at=self.now(),
                    )
                )
                was = ""
            else:
                was = f" (was {existing.value})"
                rec.update(existing, value=score, recorded_at=self.now())
            triples = self._refresh_scores(rec, initiative, row)
            rec.summary = f"{who.name} scored {initiative.key} {criterion.label} {score}{was}"
            # What was just read is reused: every query here is part of the scorecard's keystroke.
            return self._score_sheet(session, row, initiative, board=board, triples=triples)

    def clear_score(self, quarter: str, key: str, reviewer: int | str, criterion: Criterion | str) -> ScoreSheet:
        criterion = Criterion.parse(criterion) if isinstance(criterion, str) else Criterion(criterion)
        with self._action("clear score") as rec:
            session = rec.session
            row = self._open_session(session, quarter)
            initiative = self._find_initiative(session, key)
            who = self._find_person(session, reviewer)
            existing = session.scalars(
                select(Score).where(
                    Score.session_id == row.id,
                    Score.initiative_id == initiative.id,
                    Score.reviewer_id == who.id,
                    Score.criterion == criterion.value,
                )
            ).first()
            triples = None
            if existing is not None:
                rec.delete(existing)
                triples = self._refresh_scores(rec, initiative, row)
            rec.summary = f"Cleared {who.name}'s {criterion.label} score of {initiative.key}"
            return self._score_sheet(session, row, initiative, triples=triples)

    def score_sheet(self, quarter: str, key: str) -> ScoreSheet:
        with self._read() as session:
            return self._score_sheet(session, self._session_row(session, quarter), self._find_initiative(session, key))

    def _check_reviewer(self, session: Session, row: ReviewSession, reviewer: int | str, board: list[Person]) -> Person:
        """The reviewer, who must be on the board and attending (``board``: ``_board_attending`` of ``row``)."""
        who = self._find_person(session, reviewer)
        if who.board_role is None:
            raise PolicyRefusal(f"{who.name} is not on the review board and cannot score.")
        if all(p.id != who.id for p in board):
            raise PolicyRefusal(f"{who.name} is not attending the {row.quarter} session and cannot score in it.")
        return who

    def _refresh_scores(
        self, rec: ledger.Recorder, initiative: Initiative, row: ReviewSession | None = None
    ) -> list[tuple[int, str, int]] | None:
        """Keep the backlog's score columns equal to the summary of the latest session that scored it.

        ``row`` is the session just scored in: unless a later quarter has scores for this
        initiative (rare), it is the latest, which saves looking it up. Returns the scores of
        ``row`` when it read them (``_score_triples``), else None.
        """
        session = rec.session
        latest = None
        if row is not None:
            later = session.execute(
                select(Score.id)
                .join(ReviewSession, ReviewSession.id == Score.session_id)
                .where(Score.initiative_id == initiative.id, ReviewSession.quarter > row.quarter)
                .limit(1)
            ).first()
            latest = row.id if later is None else None
        if latest is None:
            latest = session.execute(
                select(ReviewSession.id)
                .join(Score, Score.session_id == ReviewSession.id)
                .where(Score.initiative_id == initiative.id)
                .order_by(ReviewSession.quarter.desc())
                .limit(1)
            ).scalar()
        values: dict[str, Any] = {f"score_{c.value.replace('-', '_')}": None for c in Criterion}
        values["score_spread"] = None
        triples = None
        if latest is not None:
            triples = self._score_triples(session, latest, initiative.id)
            summary = scoring.summarize((r, Criterion(c), v) for r, c, v in triples)
            for criterion, stats in summary.stats.items():
                values[f"score_{criterion.value.replace('-', '_')}"] = stats.mean
            values["score_spread"] = summary.spread
        rec.update(initiative, **values)
        return triples if row is not None and latest == row.id else None

    @staticmethod
    def _score_triples(session: Session, session_id: int, initiative_id: int) -> list[tuple[int, str, int]]:
        return [
            tuple(r)
            for r in session.execute(
                select(Score.reviewer_id, Score.criterion, Score.value).where(
                    Score.session_id == session_id, Score.initiative_id == initiative_id
                )
            ).all()
        ]

    @staticmethod
    def _board_attending(session: Session, session_id: int) -> list[Person]:
        """Board members attending the session, by name: the scorecard's reviewers."""
        return list(
            session.scalars(
                select(Person)
                .join(Attendee, Attendee.person_id == Person.id)
                .where(Attendee.session_id == session_id, Person.board_role.is_not(None))
                .order_by(Person.name)
            ).all()
        )

    def _score_sheet(
        self,
        session: Session,
        row: ReviewSession,
        initiative: Initiative,
        *,
        board: list[Person] | None = None,
        triples: list[tuple[int, str, int]] | None = None,
    ) -> ScoreSheet:
        """The scorecard; ``board`` and ``triples`` when the caller has just read them in this transaction."""
        if board is None:
            board = self._board_attending(session, row.id)
        if triples is None:
            triples = self._score_triples(session, row.id, initiative.id)
        scores = {(r, Criterion(c)): v for r, c, v in triples}
        reviewers = list(board)
        known = {p.id for p in reviewers}
        for reviewer_id in sorted({r for r, _c, _v in triples} - known):  # scored, then left the meeting
            reviewers.append(session.get(Person, reviewer_id))
        weights = self._weights_in(session)
        summary = scoring.summarize(((r, Criterion(c), v) for r, c, v in triples), weights)
        totals = {
            p.id: scoring.weighted_total({c: v for (r, c), v in scores.items() if r == p.id}, weights)
            for p in reviewers
        }
        return ScoreSheet(
            row.quarter,
            initiative.key,
            tuple(_person(p) for p in reviewers),
            scores,
            summary,
            totals,
            weights=scoring.format_weights(weights),
        )

    # ------------------------------------------------------------------ gates

    def templates(self) -> list[TemplateItemView]:
        with self._read() as session:
            rows = session.scalars(
                select(GateTemplateItem)
                .where(GateTemplateItem.active)
                .order_by(GateTemplateItem.gate, GateTemplateItem.position)
            )
            return [TemplateItemView(r.id, Gate(r.gate), r.position, r.text, r.ai_only) for r in rows]

    def add_template_item(self, gate: Gate | int, text: str, *, ai_only: bool = False) -> TemplateItemView:
        gate = Gate(int(gate))
        text = clean_text(text, what="checklist item", limit=LIMITS["checklist item"], required=True)
        with self._action("edit gate template") as rec:
            last = rec.session.execute(
                select(func.max(GateTemplateItem.position)).where(GateTemplateItem.gate == int(gate))
            ).scalar_one()
            row = rec.add(GateTemplateItem(gate=int(gate), position=(last or 0) + 1, text=text, ai_only=ai_only))
            rec.summary = f"Added “{text}” to the {gate.label} checklist"
            return TemplateItemView(row.id, gate, row.position, row.text, row.ai_only)

    def rename_template_item(self, item_id: int, text: str) -> TemplateItemView:
        text = clean_text(text, what="checklist item", limit=LIMITS["checklist item"], required=True)
        with self._action("edit gate template") as rec:
            row = rec.session.get(GateTemplateItem, item_id)
            if row is None or not row.active:
                raise NotFound(f"There is no checklist item {item_id}.")
            old = row.text
            rec.update(row, text=text)
            rec.summary = f"Renamed checklist item “{old}” to “{text}”"
            return TemplateItemView(row.id, Gate(row.gate), row.position, row.text, row.ai_only)

    def retire_template_item(self, item_id: int) -> None:
        with self._action("edit gate template") as rec:
            row = rec.session.get(GateTemplateItem, item_id)
            if row is None or not row.active:
                raise NotFound(f"There is no checklist item {item_id}.")
            rec.update(row, active=False)
            rec.summary = f"Removed “{row.text}” from the {Gate(row.gate).label} checklist"
            for initiative_id in (
                rec.session.execute(select(GateCheck.initiative_id).where(GateCheck.item_id == item_id)).scalars().all()
            ):
                self._refresh_gate(rec, rec.session.get(Initiative, initiative_id))
            self._refresh_all_gates_without_checks(rec)

    def _refresh_all_gates_without_checks(self, rec: ledger.Recorder) -> None:
        """Initiatives with no checks at all only move if a gate became empty; recompute those cheaply."""
        templates = self._template_rows(rec.session)
        empty_gates = [g for g in Gate if not any(t.gate == g and not t.ai_only for t in templates)]
        if not empty_gates:
            return
        for initiative in rec.session.scalars(
            select(Initiative).where(Initiative.current_gate.in_([int(g) for g in empty_gates]))
        ).all():
            self._refresh_gate(rec, initiative)

    def checklist(self, key: str) -> ChecklistView:
        with self._read() as session:
            return self._checklist(session, self._find_initiative(session, key))

    def set_check(self, key: str, item_id: int, state: CheckState | str, reason: str = "") -> ChecklistView:
        """Mark a checklist item met, not met, pending, or waived (a waiver needs a reason)."""
        state = CheckState.parse(state) if isinstance(state, str) else state
        reason = gate_rules.validate_check(state, clean_text(reason, what="reason", limit=LIMITS["check reason"]))
        with self._action("set gate check") as rec:
            session = rec.session
            initiative = self._find_initiative(session, key)
            item = session.get(GateTemplateItem, item_id)
            if item is None or not item.active:
                raise NotFound(f"There is no checklist item {item_id}.")
            if item.ai_only and not initiative.ai_heavy:
                raise PolicyRefusal(f"“{item.text}” applies to AI-heavy initiatives only; {key} is not one.")
            existing = session.get(GateCheck, (initiative.id, item.id))
            if existing is None:
                rec.add(
                    GateCheck(
                        initiative_id=initiative.id,
                        item_id=item.id,
                        state=state.value,
                        reason=reason,
                        updated_at=self.now(),
                        updated_by=self.actor,
                    )
                )
            else:
                rec.update(existing, state=state.value, reason=reason, updated_at=self.now(), updated_by=self.actor)
            self._refresh_gate(rec, initiative)
            extra = f" — {reason}" if reason else ""
            rec.summary = f"{initiative.key} {Gate(item.gate).label}: “{item.text}” {state.label}{extra}"
            return self._checklist(session, initiative)

    def _template_rows(self, session: Session) -> list[GateTemplateItem]:
        return list(
            session.scalars(
                select(GateTemplateItem)
                .where(GateTemplateItem.active)
                .order_by(GateTemplateItem.gate, GateTemplateItem.position)
            )
        )

    def _reports(self, session: Session, initiative: Initiative) -> tuple[gate_rules.GateReport, ...]:
        states = {
            c.item_id: c for c in session.scalars(select(GateCheck).where(GateCheck.initiative_id == initiative.id))
        }
        items = []
        for template in self._template_rows(session):
            if template.ai_only and not initiative.ai_heavy:
                continue
            check = states.get(template.id)
            items.append(
                gate_rules.CheckItem(
                    item_id=template.id,
                    gate=Gate(template.gate),
                    text=template.text,
                    state=CheckState(check.state) if check else CheckState.PENDING,
                    reason=check.reason if check else "",
                )
            )
        return gate_rules.evaluate(items)

    def _refresh_gate(self, rec: ledger.Recorder, initiative: Initiative) -> None:
        reports = self._reports(rec.session, initiative)
        current = gate_rules.current_gate(reports)
        values: dict[str, Any] = {"current_gate": int(current) if current else None}
        if initiative.pilot_approved_on is None and reports[0].passed:
            values["pilot_approved_on"] = self.today()
        rec.update(initiative, **values)

    def _checklist(self, session: Session, initiative: Initiative) -> ChecklistView:
        reports = self._reports(session, initiative)
        stage = Stage(initiative.stage)
        refusals = gate_rules.promotion_refusals(stage, reports) if stage in gate_rules.PROMOTION_GATES else []
        return ChecklistView(
            initiative.key, stage, initiative.ai_heavy, reports, gate_rules.current_gate(reports), tuple(refusals)
        )

    # ------------------------------------------------------------------ access

    def access_requests(self, key: str) -> list[AccessRequestView]:
        with self._read() as session:
            initiative = self._find_initiative(session, key)
            rows = session.scalars(
                select(AccessRequest)
                .where(AccessRequest.initiative_id == initiative.id)
                .order_by(AccessRequest.requested_on.desc(), AccessRequest.id.desc())
            ).all()
            return [self._access_view(session, initiative, r) for r in rows]

    def request_access(
        self,
        key: str,
        *,
        tier: AccessTier | int | str,
        data_description: str,
        retention_days: int,
        export_allowed: bool = False,
        expires_on: dt.date | None = None,
    ) -> AccessRequestView:
        tier = AccessTier.parse(tier) if not isinstance(tier, AccessTier) else tier
        description = clean_text(
            data_description, what="data description", limit=LIMITS["data description"], required=True
        )
        today = self.today()
        expires_on = expires_on or today + dt.timedelta(days=90)
        with self._action("request access") as rec:
            session = rec.session
            initiative = self._find_initiative(session, key)
            if initiative.stage == Stage.RETIRED.value:
                raise PolicyRefusal(f"{initiative.key} is retired; it gets no data access.")
            intake = session.get(Intake, initiative.id)
            sensitivity = DataSensitivity(intake.data_sensitivity) if intake and intake.data_sensitivity else None
            access_rules.validate_request(tier, sensitivity, int(retention_days), expires_on, today, export_allowed)
            row = rec.add(
                AccessRequest(
                    initiative_id=initiative.id,
                    tier=int(tier),
                    data_description=description,
                    retention_days=int(retention_days),
                    export_allowed=bool(export_allowed),
                    expires_on=expires_on,
                    requested_on=today,
                )
            )
            rec.summary = f"{initiative.key} requested {tier.label} access: {description}"
            return self._access_view(session, initiative, row)

    def sign_access(
        self,
        request_id: int,
        signer: int | str,
        *,
        approve: bool = True,
        capacity: Capacity | str | None = None,
        conditions: str = "",
        quarter: str | None = None,
        version: int | None = None,
    ) -> AccessRequestView:
        """Approve (optionally with conditions) or reject an access request, under the policy.

        With ``quarter``, the signer must attend that (open) session.
        """
        conditions = clean_text(
            conditions, what="conditions" if approve else "reason", limit=LIMITS["access conditions"]
        )
        if not approve and not conditions:
            raise InvalidInput("A rejection needs a reason, for the requester and the minutes.")
        with self._action("sign access") as rec:
            session = rec.session
            request = session.get(AccessRequest, request_id)
            if request is None:
                raise NotFound(f"There is no access request {request_id}.")
            _check_version(request, version)
            initiative = session.get(Initiative, request.initiative_id)
            tier = AccessTier(request.tier)
            existing = self._signatures(session, request.id)
            state = access_rules.status(tier, existing, request.expires_on, self.today())
            if state is not AccessStatus.PENDING:
                raise PolicyRefusal(f"This request is already {state.label}; file a new request to change it.")
            who = self._find_person(session, signer)
            owner = session.get(Person, initiative.owner_id)
            if capacity is None:
                held = access_rules.capacities_for(tier, _signer(who), owner.id)
                open_ = [c for c in held if c in access_rules.missing(tier, existing)]
                # With nothing left to sign in, check against what they hold (→ "already signed")
                # or else the first capacity still missing (→ "needs the security partner").
                capacity = (open_ or held or [_refusal_capacity(tier, existing)])[0]
            capacity = Capacity.parse(capacity) if isinstance(capacity, str) else capacity
            attendees = None
            session_row = None
            if quarter is not None:
                session_row = self._open_session(session, quarter)
                attendees = self._attendee_ids(session, session_row.id)
            access_rules.check_signature(tier, capacity, _signer(who), _signer(owner), existing, attendees)
            rec.add(
                AccessSignature(
                    request_id=request.id,
                    person_id=who.id,
                    capacity=capacity.value,
                    approve=approve,
                    conditions=conditions,
                    session_id=session_row.id if session_row else None,
                    signed_at=self.now(),
                )
            )
            signatures = self._signatures(session, request.id)
            new_state = access_rules.status(tier, signatures, request.expires_on, self.today())
            all_conditions = "; ".join(
                s.conditions
                for s in session.scalars(
                    select(AccessSignature)
                    .where(AccessSignature.request_id == request.id, AccessSignature.approve)
                    .order_by(AccessSignature.id)
                )
                if s.conditions
            )
            rec.update(request, status=new_state.value, conditions=all_conditions)
            self._refresh_access(rec, initiative)
            verb = "approved" if approve else "rejected"
            rec.summary = f"{who.name} ({capacity.label}) {verb} {tier.label} access for {initiative.key}" + (
                f": {conditions}" if conditions else ""
            )
            return self._access_view(session, initiative, request)

    def _signatures(self, session: Session, request_id: int) -> list[access_rules.Signature]:
        return [
            access_rules.Signature(s.person_id, Capacity(s.capacity), s.approve)
            for s in session.scalars(select(AccessSignature).where(AccessSignature.request_id == request_id))
        ]

    def _refresh_access(self, rec: ledger.Recorder, initiative: Initiative) -> None:
        today = self.today()
        requests = rec.session.scalars(select(AccessRequest).where(AccessRequest.initiative_id == initiative.id))
        pairs = [
            (
                AccessTier(r.tier),
                access_rules.status(AccessTier(r.tier), self._signatures(rec.session, r.id), r.expires_on, today),
            )
            for r in requests
        ]
        tier = access_rules.effective_tier(pairs)
        rec.update(initiative, access_tier=int(tier) if tier else None)

    def _access_view(self, session: Session, initiative: Initiative, row: AccessRequest) -> AccessRequestView:
        tier = AccessTier(row.tier)
        signatures = session.execute(
            select(AccessSignature, Person)
            .join(Person, Person.id == AccessSignature.person_id)
            .where(AccessSignature.request_id == row.id)
            .order_by(AccessSignature.id)
        ).all()
        plain = [access_rules.Signature(s.person_id, Capacity(s.capacity), s.approve) for s, _p in signatures]
        return AccessRequestView(
            id=row.id,
            key=initiative.key,
            tier=tier,
            data_description=row.data_description,
            retention_days=row.retention_days,
            export_allowed=row.export_allowed,
            expires_on=row.expires_on,
            requested_on=row.requested_on,
            status=access_rules.status(tier, plain, row.expires_on, self.today()),
            conditions=row.conditions,
            signatures=tuple(
                SignatureView(_person(p), Capacity(s.capacity), s.approve, s.conditions, s.signed_at)
                for s, p in signatures
            ),
            missing=access_rules.missing(tier, plain),
            version=row.version,
        )

    # ------------------------------------------------------------------ budget

    def set_budget_line(self, quarter: str, key: str, amount: int, track: Track | str | None = None) -> None:
        quarter = str(Quarter.parse(quarter))
        amount = check_money(amount)
        with self._action("set budget") as rec:
            session = rec.session
            initiative = self._find_initiative(session, key)
            track = (Track.parse(track) if isinstance(track, str) else track) or Track(initiative.track)
            line = session.scalars(
                select(BudgetLine).where(BudgetLine.quarter == quarter, BudgetLine.initiative_id == initiative.id)
            ).first()
            if line is None:
                rec.add(BudgetLine(quarter=quarter, initiative_id=initiative.id, track=track.value, amount=amount))
            else:
                rec.update(line, track=track.value, amount=amount)
            rec.summary = f"Budget {quarter}: {initiative.key} {track.label} {amount / 100:,.2f}"

    def budget(self, quarter: str) -> BudgetView:
        """The quarter's mix against target, and the mix after this quarter's session decisions."""
        quarter = str(Quarter.parse(quarter))
        target = self.target_mix()
        currency = self.currency
        with self._read() as session:
            history_rows = session.execute(
                select(BudgetLine.quarter, BudgetLine.track, func.sum(BudgetLine.amount))
                .group_by(BudgetLine.quarter, BudgetLine.track)
                .order_by(BudgetLine.quarter)
            ).all()
            lines = {
                initiative_id: (Track(track), amount)
                for initiative_id, track, amount in session.execute(
                    select(BudgetLine.initiative_id, BudgetLine.track, BudgetLine.amount).where(
                        BudgetLine.quarter == quarter
                    )
                ).all()
            }
            decided = session.execute(
                select(Decision, Initiative.key)
                .join(ReviewSession, ReviewSession.id == Decision.session_id)
                .join(Initiative, Initiative.id == Decision.initiative_id)
                .where(ReviewSession.quarter == quarter)
                .order_by(Decision.decided_at, Decision.id)
            ).all()
        by_quarter: dict[str, list[tuple[Track, int]]] = {}
        for q, track, amount in history_rows:
            by_quarter.setdefault(q, []).append((Track(track), int(amount)))
        history = tuple((q, budget_rules.Mix.of(v)) for q, v in sorted(by_quarter.items()) if q <= quarter)
        moves = (
            (d.initiative_id, key, d.outcome, Track(d.track_after) if d.track_after else None) for d, key in decided
        )
        view = BudgetView.after_decisions(quarter, currency, target, lines, moves, history)
        return replace(view, envelope=self.budget_envelope(quarter), lines=self._budget_lines(quarter))

    def set_budget_lines(self, quarter: str, lines: Sequence[tuple[str, object, Track | str | None]]) -> int:
        """Set many budget lines of a quarter at once (a CSV file): ``(key, amount, track or None)``,
        all or nothing, one audited action. Returns how many lines changed."""
        quarter = str(Quarter.parse(quarter))
        checked = []
        for key, amount, track in lines:
            track = Track.parse(track) if isinstance(track, str) and track.strip() else (track or None)
            checked.append((check_key(key), check_money(amount), track))
        with self._action("set budget lines") as rec:
            session = rec.session
            changed = 0
            for key, amount, track in checked:
                initiative = self._find_initiative(session, key)
                track = track or Track(initiative.track)
                line = session.scalars(
                    select(BudgetLine).where(BudgetLine.quarter == quarter, BudgetLine.initiative_id == initiative.id)
                ).first()
                if line is None:
                    rec.add(BudgetLine(quarter=quarter, initiative_id=initiative.id, track=track.value, amount=amount))
                    changed += 1
                elif rec.update(line, track=track.value, amount=amount):
                    changed += 1
            rec.summary = f"Budget {quarter}: {changed} of {len(checked)} lines set from a file"
        return changed

    def budget_envelope(self, quarter: str) -> budget_rules.Envelope | None:
        with self._read() as session:
            row = session.get(BudgetEnvelope, str(Quarter.parse(quarter)))
            return budget_rules.Envelope(row.total, row.lab) if row else None

    def set_budget_envelope(self, quarter: str, total: object, lab: object = 0) -> budget_rules.Envelope:
        """Set a quarter's whole budget and the ring-fenced lab budget inside it (minor units)."""
        quarter = str(Quarter.parse(quarter))
        envelope = budget_rules.Envelope(check_money(total), check_money(lab))
        currency = self.currency
        with self._action("set budget envelope") as rec:
            row = rec.session.get(BudgetEnvelope, quarter)
            if row is None:
                rec.add(BudgetEnvelope(quarter=quarter, total=envelope.total, lab=envelope.lab))
            else:
                rec.update(row, total=envelope.total, lab=envelope.lab)
            rec.summary = (
                f"Budget envelope {quarter}: {format_money(envelope.total, currency)}, "
                f"of which lab (ring-fenced) {format_money(envelope.lab, currency)}"
            )
        return envelope

    def _budget_lines(self, quarter: str) -> tuple[BudgetLineView, ...]:
        with self._read() as session:
            rows = session.execute(
                select(BudgetLine, Initiative.key, Initiative.title, Initiative.quarterly_cost, Initiative.stage)
                .join(Initiative, Initiative.id == BudgetLine.initiative_id)
                .where(BudgetLine.quarter == quarter)
                .order_by(BudgetLine.amount.desc(), Initiative.key)
            ).all()
        return tuple(
            BudgetLineView(key, title, Track(line.track), line.amount, cost, Stage(stage))
            for line, key, title, cost, stage in rows
        )

    def propose_budget(self, quarter: str) -> int:
        """Add a line for each live initiative without one: its quarterly cost on its track. Returns how many."""
        quarter = str(Quarter.parse(quarter))
        with self._action("propose budget") as rec:
            added = self._propose_budget(rec, quarter)
            rec.summary = f"Proposed {added} budget lines for {quarter} from the initiatives' quarterly costs"
        return added

    def _propose_budget(self, rec: ledger.Recorder, quarter: str) -> int:
        session = rec.session
        have = set(session.execute(select(BudgetLine.initiative_id).where(BudgetLine.quarter == quarter)).scalars())
        live = session.execute(
            select(Initiative.id, Initiative.stage, Initiative.track, Initiative.quarterly_cost).order_by(
                Initiative.key
            )
        ).all()
        proposed = budget_rules.proposed_lines((i, stage, Track(track), cost) for i, stage, track, cost in live)
        added = 0
        for initiative_id, (track, amount) in proposed.items():
            if initiative_id not in have:
                rec.add(BudgetLine(quarter=quarter, initiative_id=initiative_id, track=track.value, amount=amount))
                added += 1
        return added

    # ------------------------------------------------------------------ planning the next session

    def plan_session(
        self,
        quarter: str,
        *,
        held_on: dt.date,
        facilitator: int | str,
        attendees: Iterable[int | str],
        timebox_minutes: int = 8,
    ) -> SessionView:
        """Plan a session, in one audited action: the session with its facilitator and attendees, its
        budget lines proposed from the live initiatives' quarterly costs, and its agenda carried over
        (``domain.carryover``: not reached, iterate or hold, renewals due, next reviews in the quarter)."""
        parsed = Quarter.parse(quarter)
        quarter = str(parsed)
        if not (1 <= timebox_minutes <= 120):
            raise InvalidInput(f"A timebox is 1 to 120 minutes; got {timebox_minutes}.")
        if not (parsed.first_day <= held_on <= parsed.last_day):
            raise InvalidInput(
                f"A {quarter} session is held in {quarter} ({parsed.first_day.isoformat()} to "
                f"{parsed.last_day.isoformat()}); got {held_on.isoformat()}."
            )
        with self._action("plan session") as rec:
            session = rec.session
            if session.scalars(select(ReviewSession).where(ReviewSession.quarter == quarter)).first():
                raise InvalidInput(f"There is already a {quarter} session.")
            lead = self._find_person(session, facilitator)
            people = []
            for ref in attendees:
                person = self._find_person(session, ref)
                if person.id not in {p.id for p in people}:
                    people.append(person)
            if not people:
                raise InvalidInput(f"The {quarter} session needs attendees: the board members who score and sign.")
            row = rec.add(
                ReviewSession(
                    quarter=quarter, held_on=held_on, facilitator_id=lead.id, timebox_seconds=timebox_minutes * 60
                )
            )
            for person in people:
                rec.add(Attendee(session_id=row.id, person_id=person.id))
            lines = self._propose_budget(rec, quarter)
            carried = self._carry_over(session, parsed, held_on)
            for position, item in enumerate(carried, 1):
                rec.add(
                    AgendaItem(
                        session_id=row.id,
                        initiative_id=item.initiative_id,
                        position=position,
                        timebox_seconds=row.timebox_seconds,
                        carried_reason=item.reason,
                    )
                )
            rec.summary = (
                f"Planned the {quarter} session on {held_on.isoformat()}, facilitated by {lead.name}, with "
                f"{len(people)} attendees; {len(carried)} items carried onto the agenda, {lines} budget lines proposed"
            )
            return self._session_view(session, row)

    def carry_over_preview(self, quarter: str, held_on: dt.date) -> list[carryover.Carried]:
        """What planning ``quarter`` on ``held_on`` would carry onto its agenda (nothing is written)."""
        with self._read() as session:
            return self._carry_over(session, Quarter.parse(quarter), held_on)

    def _carry_over(self, session: Session, quarter: Quarter, held_on: dt.date) -> list[carryover.Carried]:
        previous = session.scalars(
            select(ReviewSession).where(ReviewSession.quarter < str(quarter)).order_by(ReviewSession.quarter.desc())
        ).first()
        past: list[carryover.PastItem] = []
        if previous is not None:
            decided = dict(
                session.execute(
                    select(Decision.initiative_id, Decision.outcome).where(Decision.session_id == previous.id)
                ).all()
            )
            for initiative_id, key in session.execute(
                select(AgendaItem.initiative_id, Initiative.key)
                .join(Initiative, Initiative.id == AgendaItem.initiative_id)
                .where(AgendaItem.session_id == previous.id)
                .order_by(AgendaItem.position)
            ).all():
                outcome = decided.get(initiative_id)
                past.append(carryover.PastItem(initiative_id, key, DecisionOutcome(outcome) if outcome else None))
        latest: dict[int, tuple[dt.date | None, str]] = {}
        settled: dict[int, dt.date] = {}
        for initiative_id, outcome, next_review, quarter_of, day, started in session.execute(
            select(
                Decision.initiative_id,
                Decision.outcome,
                Decision.next_review,
                ReviewSession.quarter,
                ReviewSession.held_on,
                ReviewSession.started_at,
            )
            .join(ReviewSession, ReviewSession.id == Decision.session_id)
            .where(ReviewSession.quarter < str(quarter))
            .order_by(ReviewSession.quarter, Decision.decided_at, Decision.id)
        ).all():
            latest[initiative_id] = (next_review, quarter_of)
            if DecisionOutcome(outcome) in carryover.SETTLES_RENEWAL:
                settled[initiative_id] = started.date() if started else day
        live = [
            carryover.Candidate(
                initiative_id=i,
                key=key,
                stage=Stage(stage),
                renewal_date=renewal,
                next_review=latest.get(i, (None, None))[0],
                next_review_quarter=latest.get(i, (None, None))[1],
                renewal_settled_on=settled.get(i),
            )
            for i, key, stage, renewal in session.execute(
                select(Initiative.id, Initiative.key, Initiative.stage, Initiative.renewal_date)
                .where(Initiative.stage != Stage.RETIRED.value)
                .order_by(Initiative.key)
            ).all()
        ]
        return carryover.carried_items(quarter, held_on, previous.quarter if previous else None, past, live)

    def set_facilitator(self, quarter: str, person: int | str) -> SessionView:
        """Hand a session not yet ended to another facilitator (they act in the audit log from now on)."""
        with self._action("set facilitator") as rec:
            session = rec.session
            row = self._session_row(session, quarter)
            _require_not_closed(row)
            who = self._find_person(session, person)
            rec.update(row, facilitator_id=who.id)
            rec.summary = f"{who.name} facilitates the {row.quarter} session"
            return self._session_view(session, row)

    # ------------------------------------------------------------------ scoring weights

    @property
    def weights(self) -> dict[Criterion, Fraction]:
        """The criterion weights that decide weighted scores: the portfolio's, set by the board."""
        with self._read() as session:
            return self._weights_in(session)

    def _weights_in(self, session: Session) -> dict[Criterion, Fraction]:
        if self._weights is not None:
            return self._weights
        row = session.get(Setting, WEIGHTS_SETTING)
        return scoring.parse_weights(row.value) if row else dict(scoring.DEFAULT_WEIGHTS)

    @property
    def weights_override(self) -> dict[Criterion, Fraction] | None:
        """The weights given when opening, if any (they win over the stored ones, for this object only)."""
        return self._weights

    def set_weights(self, weights: Mapping[Criterion | str, object] | str) -> dict[Criterion, Fraction]:
        """The board sets the portfolio's criterion weights (``outcome-impact=2 data-risk=1.5``); audited."""
        if isinstance(weights, str):
            parsed = scoring.parse_weights(weights)
        else:
            parsed = scoring.validate_weights(
                {(Criterion.parse(c) if isinstance(c, str) else c): v for c, v in weights.items()}
            )
        text = scoring.format_weights(parsed)
        with self._action("set weights") as rec:
            row = rec.session.get(Setting, WEIGHTS_SETTING)
            if row is None:
                rec.add(Setting(key=WEIGHTS_SETTING, value=text))
            else:
                rec.update(row, value=text)
            rec.summary = f"Scoring weights set to {text}"
        return parsed

    # ------------------------------------------------------------------ decisions

    def record_decision(
        self,
        quarter: str,
        key: str,
        outcome: DecisionOutcome | str,
        *,
        rationale: str = "",
        conditions: str = "",
        next_review: dt.date | None = None,
        action_items: Sequence[NewActionItem] = (),
    ) -> DecisionView:
        """Record the board's decision; the stage and budget track follow it."""
        outcome = DecisionOutcome.parse(outcome) if isinstance(outcome, str) else outcome
        rationale = clean_text(rationale, what="rationale", limit=LIMITS["rationale"])
        conditions = clean_text(conditions, what="conditions", limit=LIMITS["decision conditions"])
        decided_on = self.today()
        decision_rules.validate(outcome, rationale, next_review, decided_on)
        with self._action("record decision") as rec:
            session = rec.session
            row = self._open_session(session, quarter)
            initiative = self._find_initiative(session, key)
            if self._decision_row(session, row.id, initiative.id) is not None:
                raise PolicyRefusal(f"{initiative.key} already has a decision in {row.quarter}; undo it to change it.")
            stage = Stage(initiative.stage)
            effect = decision_rules.effect(stage, outcome, Track(initiative.track))
            if outcome is DecisionOutcome.PROMOTE:
                refusals = gate_rules.promotion_refusals(stage, self._reports(session, initiative))
                if refusals:
                    raise PolicyRefusal(f"{initiative.key} cannot be promoted yet. " + " ".join(refusals))
            decision = rec.add(
                Decision(
                    session_id=row.id,
                    initiative_id=initiative.id,
                    outcome=outcome.value,
                    stage_before=stage.value,
                    stage_after=effect.stage.value,
                    track_before=initiative.track,
                    track_after=effect.track.value if effect.track else None,
                    rationale=rationale,
                    conditions=conditions,
                    next_review=next_review,
                    decided_at=self.now(),
                )
            )
            for item in action_items:
                self._add_action(rec, row, initiative, item, decision.id)
            rec.update(
                initiative,
                stage=effect.stage.value,
                track=(effect.track or Track(initiative.track)).value,
                last_outcome=outcome.value,
                last_quarter=row.quarter,
                updated_at=self.now(),
            )
            arrow = f" ({stage.label} → {effect.stage.label})" if effect.stage is not stage else ""
            rec.summary = f"Decided {outcome.value} for {initiative.key}{arrow}: {rationale or 'no rationale'}"
            return self._decision_view(session, decision)

    def add_action_item(self, quarter: str, key: str, item: NewActionItem) -> ActionItemView:
        with self._action("add action item") as rec:
            session = rec.session
            row = self._session_row(session, quarter)
            _require_not_closed(row)
            initiative = self._find_initiative(session, key)
            decision = self._decision_row(session, row.id, initiative.id)
            action = self._add_action(rec, row, initiative, item, decision.id if decision else None)
            rec.summary = f"Action for {initiative.key}: {action.text}"
            return self._action_view(session, action)

    def complete_action_item(self, action_id: int) -> ActionItemView:
        with self._action("complete action item") as rec:
            action = rec.session.get(ActionItem, action_id)
            if action is None:
                raise NotFound(f"There is no action item {action_id}.")
            rec.update(action, status=ActionStatus.DONE.value, done_on=self.today())
            rec.summary = f"Done: {action.text}"
            return self._action_view(rec.session, action)

    def _add_action(
        self,
        rec: ledger.Recorder,
        row: ReviewSession,
        initiative: Initiative,
        item: NewActionItem,
        decision_id: int | None,
    ) -> ActionItem:
        text = clean_text(item.text, what="action item", limit=LIMITS["action item"], required=True)
        owner = self._find_person(rec.session, item.owner_id)
        if item.due < self.today():
            raise InvalidInput(f"The action “{text}” is due {item.due.isoformat()}, which is in the past.")
        return rec.add(
            ActionItem(
                session_id=row.id,
                decision_id=decision_id,
                initiative_id=initiative.id,
                owner_id=owner.id,
                text=text,
                due=item.due,
            )
        )

    def decisions(self, quarter: str | None = None) -> list[DecisionView]:
        with self._read() as session:
            statement = (
                select(Decision)
                .join(ReviewSession, ReviewSession.id == Decision.session_id)
                .order_by(ReviewSession.quarter, Decision.decided_at, Decision.id)
            )
            if quarter:
                statement = statement.where(ReviewSession.quarter == str(Quarter.parse(quarter)))
            return [self._decision_view(session, d) for d in session.scalars(statement).all()]

    def decision(self, quarter: str, key: str) -> DecisionView | None:
        with self._read() as session:
            row = self._session_row(session, quarter)
            decision = self._decision_row(session, row.id, self._find_initiative(session, key).id)
            return self._decision_view(session, decision) if decision else None

    def action_items(self, *, quarter: str | None = None, status: ActionStatus | None = None) -> list[ActionItemView]:
        with self._read() as session:
            statement = (
                select(ActionItem)
                .join(ReviewSession, ReviewSession.id == ActionItem.session_id)
                .order_by(ActionItem.due, ActionItem.id)
            )
            if quarter:
                statement = statement.where(ReviewSession.quarter == str(Quarter.parse(quarter)))
            if status:
                statement = statement.where(ActionItem.status == status.value)
            return [self._action_view(session, a) for a in session.scalars(statement).all()]

    def _decision_row(self, session: Session, session_id: int, initiative_id: int) -> Decision | None:
        return session.scalars(
            select(Decision).where(Decision.session_id == session_id, Decision.initiative_id == initiative_id)
        ).first()

    def _decision_view(self, session: Session, row: Decision) -> DecisionView:
        initiative = session.get(Initiative, row.initiative_id)
        quarter = session.get(ReviewSession, row.session_id).quarter
        actions = session.scalars(
            select(ActionItem).where(ActionItem.decision_id == row.id).order_by(ActionItem.id)
        ).all()
        return DecisionView(
            id=row.id,
            quarter=quarter,
            key=initiative.key,
            title=initiative.title,
            outcome=DecisionOutcome(row.outcome),
            stage_before=Stage(row.stage_before),
            stage_after=Stage(row.stage_after),
            track_before=Track(row.track_before),
            track_after=Track(row.track_after) if row.track_after else None,
            rationale=row.rationale,
            conditions=row.conditions,
            next_review=row.next_review,
            decided_at=row.decided_at,
            action_items=tuple(self._action_view(session, a) for a in actions),
        )

    def _action_view(self, session: Session, row: ActionItem) -> ActionItemView:
        initiative = session.get(Initiative, row.initiative_id)
        return ActionItemView(
            id=row.id,
            text=row.text,
            owner=_person(session.get(Person, row.owner_id)),
            due=row.due,
            key=initiative.key,
            title=initiative.title,
            quarter=session.get(ReviewSession, row.session_id).quarter,
            status=row.status,
        )

    # ------------------------------------------------------------------ audit and undo

    def last_action(self) -> str | None:
        """What ctrl+z would undo, in words (None when there is nothing)."""
        with self._read() as session:
            event = ledger.last_undoable(session, self.actor, self._mine)
            return event.summary if event else None

    def undo(self) -> str:
        """Undo this actor's last action; returns its summary. The undo itself is audited.

        Another facilitator may have acted since on what the action touched (signed
        the same request, checked the same gate): the derived columns (request
        status, access tier, current gate, score means) are then worked out again
        from what is left, in the same transaction, so that an undo never leaves an
        approval standing that the remaining signatures do not support.
        """
        with self._action("undo") as rec:
            event = ledger.last_undoable(rec.session, self._actor_in(rec.session), self._mine)
            if event is None:
                raise NotFound("There is nothing to undo.")
            closed = ledger.closed_session_of(rec.session, event)
            if closed is not None:
                raise PolicyRefusal(
                    f"“{event.summary}” belongs to the {closed} session, which has ended: its record is final "
                    "(its minutes may have gone out). Correct it in the next session instead."
                )
            rec.changes.extend(ledger.revert(rec.session, event))
            self._rederive(rec, *ledger.touched(rec.changes))
            rec.undoes_id = event.id
            rec.summary = f"Undid: {event.summary}"
            return event.summary

    def _rederive(self, rec: ledger.Recorder, initiative_ids: Iterable[int], request_ids: Iterable[int]) -> None:
        """Recompute the columns other rows determine, for the rows an undo touched."""
        session = rec.session
        initiatives = set(initiative_ids)
        for request_id in sorted(set(request_ids)):
            request = session.get(AccessRequest, request_id)
            if request is None:
                continue
            initiatives.add(request.initiative_id)
            signatures = self._signatures(session, request.id)
            state = access_rules.status(AccessTier(request.tier), signatures, request.expires_on, self.today())
            conditions = "; ".join(
                s.conditions
                for s in session.scalars(
                    select(AccessSignature)
                    .where(AccessSignature.request_id == request.id, AccessSignature.approve)
                    .order_by(AccessSignature.id)
                )
                if s.conditions
            )
            rec.update(request, status=state.value, conditions=conditions)
        for initiative_id in sorted(initiatives):
            initiative = session.get(Initiative, initiative_id)
            if initiative is None:
                continue
            self._refresh_access(rec, initiative)
            self._refresh_gate(rec, initiative)
            self._refresh_scores(rec, initiative)

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        with self._read() as session:
            undone = set(
                session.execute(select(AuditEvent.undoes_id).where(AuditEvent.undoes_id.is_not(None))).scalars()
            )
            rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
            return [AuditEntry(r.id, r.at, r.actor, r.action, r.summary, r.id in undone) for r in rows]

    def verify_audit(self, anchor: str = "") -> ledger.Verdict:
        """Check the audit log's hash chain and its head (and that ``anchor``, a record hash, is still in it)."""
        with self._read() as session:
            return ledger.check(session, anchor)


# ---------------------------------------------------------------------- helpers


def _person(row: Person) -> PersonView:
    return PersonView(row.id, row.name, BoardRole(row.board_role) if row.board_role else None, row.email)


def _signer(row: Person) -> access_rules.Person:
    return access_rules.Person(row.id, row.name, BoardRole(row.board_role) if row.board_role else None)


def _refusal_capacity(tier: AccessTier, existing: Sequence[access_rules.Signature]) -> Capacity:
    """The capacity to check a signer against when they hold none: the first still missing."""
    missing = access_rules.missing(tier, existing)
    return missing[0] if missing else access_rules.REQUIRED[tier][0]


def _backlog_row(row: Any) -> BacklogRow:
    return BacklogRow.from_codes(
        row.key, row.title, row.stage, row.category, row.owner, row.quarterly_cost, row.track, row.current_gate,
        row.access_tier, row.score, row.score_spread, row.last_outcome, row.last_quarter, row.on_agenda,
    )  # fmt: skip


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


def _queryable(text: str) -> str:
    """``text`` with any lone surrogate (which SQLite cannot take) as ``?``: for look-ups, never for storing."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _check_version(row: Any, version: int | None) -> None:
    if version is not None and row.version != version:
        raise StaleEdit(
            "Someone else changed this since you opened it; the screen now shows the current values. "
            "Make your change again if it still applies."
        )


def _require_not_closed(row: ReviewSession) -> None:
    if row.status == SessionStatus.CLOSED.value:
        raise PolicyRefusal(f"The {row.quarter} session has ended; its record is closed.")


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).splitlines()[0]


def explain_failure(target: object, exc: BaseException) -> str:
    """One sentence for an error that stopped ``target`` from being opened or read (the app's last resort)."""
    from labreview.store.database import sqlite_problem

    if isinstance(exc, DatabaseError):
        return f"The portfolio at {target} could not be opened: {sqlite_problem(exc.orig or exc)}."
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"The portfolio at {target} could not be opened: {type(exc).__name__}{': ' + first if first else ''}."


def _storage_error(exc: DatabaseError) -> StorageError:
    from labreview.store.database import sqlite_problem

    problem = sqlite_problem(getattr(exc, "orig", None) or exc)
    if problem.startswith("the database file is damaged"):
        return StorageError(
            "The database file is damaged: the change was not saved. Restore it from a backup "
            f"and check it with labreview audit verify ({_first_line(exc)})."
        )
    if problem.startswith("the disk is full"):
        return StorageError("The disk is full: the change was not saved. Free some space and try again.")
    if problem.startswith("the database is locked"):
        return StorageError("The database is busy with another labreview; the change was not saved — try again.")
    if problem.startswith("the disk reported"):
        return StorageError(
            "The disk reported an input/output error: the change was not saved. The file may be fine; "
            "check the drive and try again."
        )
    if problem.startswith("the database cannot be written"):
        return StorageError("The database is read-only: the change was not saved.")
    return StorageError(f"The database refused the change ({_first_line(exc)}); nothing was saved.")


__all__ = ["Portfolio", "clean_text", "utc_now"]
