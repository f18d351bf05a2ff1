"""One table of an initiative's fields (``domain.fields``): the service, the import and the models agree with it.

A limit is tested at its edge through each way a value can arrive: the single-record use cases and the import.
"""

from __future__ import annotations

import pytest

from labreview.domain import fields
from labreview.domain.errors import InvalidInput
from labreview.portfolio.importing import ImportRecord
from labreview.store.models import Initiative, Intake


def test_the_table_names_every_column_of_the_initiative_and_intake_rows() -> None:
    own = {f for f in fields.INITIATIVE_FIELDS if f not in ("owner", "sponsor")}
    assert own <= set(Initiative.model_fields)
    assert {"owner_id", "sponsor_id"} <= set(Initiative.model_fields)
    assert set(fields.INTAKE_FIELDS) <= set(Intake.model_fields)
    assert set(fields.EDITABLE_FIELDS) <= set(Initiative.model_fields)
    assert ("key", *fields.INITIATIVE_FIELDS, *fields.INTAKE_FIELDS) == fields.FIELDS
    assert set(fields.INTAKE_TEXT_FIELDS) | set(fields.INTAKE_CHOICE_FIELDS) == set(fields.INTAKE_FIELDS)
    assert all(fields.BY_NAME[name].limit for name in fields.INTAKE_TEXT_FIELDS + fields.CRITERIA_FIELDS)


TEXT_FIELDS = [name for name, _ in fields.TEXT_LIMITS.items()]


def _set(portfolio, name: str, value: str) -> None:
    """Set ``name`` of LAB-1 through the use case a screen would call for that field."""
    if name in fields.INTAKE_FIELDS:
        portfolio.set_intake("LAB-1", name, value)
    elif name in fields.CRITERIA_FIELDS:
        portfolio.set_success_criterion("LAB-1", name, value, reason="the board agreed")
    else:
        portfolio.update_initiative("LAB-1", **{name: value})


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_each_use_case_takes_a_text_field_up_to_the_tables_limit_and_no_further(portfolio, name: str) -> None:
    limit = fields.TEXT_LIMITS[name]
    _set(portfolio, name, "x" * limit)
    with pytest.raises(InvalidInput, match=f"the limit is {limit:,}"):
        _set(portfolio, name, "x" * (limit + 1))


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_the_import_takes_a_text_field_up_to_the_tables_limit_and_no_further(portfolio, name: str) -> None:
    limit = fields.TEXT_LIMITS[name]
    record = ImportRecord(2, "LAB-9", {"title": "New", "category": "capability", "owner": "Oscar Owner"})
    at_limit = ImportRecord(2, "LAB-9", {**record.fields, name: "x" * limit})
    over = ImportRecord(3, "LAB-8", {**record.fields, name: "x" * (limit + 1)})
    report = portfolio.import_initiatives([at_limit, over], dry_run=True)
    problems = [str(p) for p in report.problems]
    assert len(problems) == 1, problems
    assert "LAB-8" in problems[0] or "3" in problems[0]
    assert f"{limit:,}" in problems[0]


def test_keys_and_money_are_checked_the_same_everywhere() -> None:
    assert fields.check_key(" lab-7 ") == "LAB-7"
    for bad in ("", "lab 7", "ß-1", "X" * 25, "-LAB"):
        with pytest.raises(InvalidInput, match="not a usable key"):
            fields.check_key(bad)
    assert fields.check_money(fields.MAX_MONEY) == fields.MAX_MONEY
    for bad in (-1, fields.MAX_MONEY + 1, 1.5, True, "100"):
        with pytest.raises(InvalidInput):
            fields.check_money(bad)


def test_labels_and_limits_are_read_by_name() -> None:
    assert fields.label("exit_plan") == "Exit plan (if the pilot fails)"
    assert fields.limit("target_lift") == 500
    assert fields.limit("rationale") == fields.LIMITS["rationale"]
    with pytest.raises(KeyError):
        fields.limit("no such field")


def test_the_import_and_export_columns_are_the_tables() -> None:
    from labreview.portfolio import importing

    assert tuple(importing.FIELDS) == fields.FIELDS
    assert tuple(importing.INTAKE_FIELDS) == fields.INTAKE_FIELDS
    assert tuple(importing.CRITERIA_FIELDS) == fields.CRITERIA_FIELDS
    assert dict(importing.TEXT_LIMITS) == dict(fields.TEXT_LIMITS)
    assert importing.NAME_LIMIT == fields.NAME_LIMIT
    assert importing.MAX_MONEY == fields.MAX_MONEY
