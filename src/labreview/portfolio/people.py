"""People of the portfolio and the board."""

from __future__ import annotations

from sqlalchemy import func, select

from labreview.domain.errors import InvalidInput
from labreview.domain.fields import (
    LIMITS,
    NAME_LIMIT,
    check_name,
    clean_text,
)
from labreview.domain.vocabulary import (
    BoardRole,
)
from labreview.portfolio.derived import Derived
from labreview.portfolio.present import person_view
from labreview.portfolio.views import (
    PersonView,
)
from labreview.store import rows as lookup
from labreview.store.models import (
    Person,
)


class People(Derived):
    """People of the portfolio and the board."""

    def people(self) -> list[PersonView]:
        with self.read() as session:
            rows = session.scalars(select(Person).where(Person.active).order_by(Person.name))
            return [person_view(p) for p in rows]

    def board(self) -> list[PersonView]:
        return [p for p in self.people() if p.role is not None]

    def person(self, ref: int | str) -> PersonView:
        with self.read() as session:
            return person_view(lookup.person(session, ref))

    def add_person(self, name: str, role: BoardRole | str | None = None, email: str = "") -> PersonView:
        name = clean_text(name, what="name", limit=NAME_LIMIT, required=True)
        role = BoardRole.parse(role) if isinstance(role, str) and role else role
        with self.audited("add person") as rec:
            if rec.session.scalars(select(Person).where(Person.name == name)).first():
                raise InvalidInput(f"{name} is already in the portfolio.")
            email = clean_text(email, what="email address", limit=LIMITS["email"])
            person = rec.add(Person(name=name, board_role=role.value if role else None, email=email))
            rec.summary = f"Added {name}" + (f" ({role.label})" if role else "")
            return person_view(person)

    def add_board_member(self, name: str, role: BoardRole | str, email: str = "") -> PersonView:
        """Put a person on the board in ``role``: a new person, or one already known (e.g. an owner)."""
        name = check_name(name)
        role = BoardRole.parse(role) if isinstance(role, str) else role
        with self.audited("add board member") as rec:
            person = rec.session.scalars(select(Person).where(func.lower(Person.name) == name.lower())).first()
            if person is None:
                person = rec.add(Person(name=name, board_role=role.value, email=email.strip()))
            elif person.board_role == role.value:
                raise InvalidInput(f"{person.name} is already on the board as {role.label}.")
            else:
                rec.update(person, board_role=role.value, email=email.strip() or person.email)
            rec.summary = f"{person.name} joined the board as {role.label}"
            return person_view(person)

    def act_as(self, name: str) -> PersonView:
        """Make ``name``, a person of the portfolio, the one the audit log names from now on."""
        with self.read() as session:
            person = person_view(lookup.person(session, name))
        self._actor = person.name
        return person
