"""Visible content: for every role × every sheet state, which reviewer stages a sheet shows, everywhere.

The county's and the city's columns, totals, reasons and final star stay hidden from the community
operator and the street viewer while the sheet is in county or city review; they are shown once the
sheet is published, or when it is back with the community after a return. During the public notice
(公示中) the list shows totals and stars publicly, but the sheet's stages stay with the reviewers.

Every reviewer stage that has data carries its own marker reason (县级意见…/市级意见…) and an audit
event; each surface (sheet page, compare page, print view, xlsx form, API detail, API history) is
searched for the markers and the stage columns. The expected values are written below as literals,
not computed from evaluations.policy.
"""

from __future__ import annotations

import io
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from evaluations.audit import record
from evaluations.facts import checklist_fact_names
from evaluations.models import Evaluation, FactAnswer, LineScore, Stage, State
from evaluations.scoring import refresh_cached_result
from evaluations.services import workflow
from evaluations.services.periods import open_period
from tests.api.conftest import ApiClient
from tests.cast import PASSWORD
from tests.evaluations.conftest import GOOD_FACTS
from tests.matrix_fixtures import World, _fill, build_world

COUNTY_MARK = "县级意见甲"
CITY_MARK = "市级意见乙"
ROLES = ["community_operator", "street_viewer", "county_reviewer", "city_reviewer", "city_admin"]
STATES = [
    "draft", "returned", "submitted", "county_reviewing", "county_passed", "city_reviewing", "city_reviewed",
    "notice", "published",
]

# Which reviewer stage COLUMNS (and totals) the sheet page and the compare page show: C = county, Y = city.
COLUMNS = {
    #                     draft  returned submitted c_review c_passed y_review y_reviewed notice published
    "community_operator": ["CY", "CY",    "",       "",      "",      "",      "",        "",    "CY"],
    "street_viewer":      ["CY", "CY",    "",       "",      "",      "",      "",        "",    "CY"],
    "county_reviewer":    ["CY", "CY",    "CY",     "CY",    "CY",    "CY",    "CY",      "CY",  "CY"],
    "city_reviewer":      ["CY", "CY",    "CY",     "CY",    "CY",    "CY",    "CY",      "CY",  "CY"],
    "city_admin":         ["CY", "CY",    "CY",     "CY",    "CY",    "CY",    "CY",      "CY",  "CY"],
}  # fmt: skip

# Which reviewer stages' CONTENT (scores' reasons, history events) appears: only stages with data —
# the county has scored from county review on (and in the returned sheet), the city from city review on.
CONTENT = {
    #                     draft  returned submitted c_review c_passed y_review y_reviewed notice published
    "community_operator": ["",   "C",     "",       "",      "",      "",      "",        "",    "CY"],
    "street_viewer":      ["",   "C",     "",       "",      "",      "",      "",        "",    "CY"],
    "county_reviewer":    ["",   "C",     "",       "C",     "C",     "CY",    "CY",      "CY",  "CY"],
    "city_reviewer":      ["",   "C",     "",       "C",     "C",     "CY",    "CY",      "CY",  "CY"],
    "city_admin":         ["",   "C",     "",       "C",     "C",     "CY",    "CY",      "CY",  "CY"],
}  # fmt: skip

# Totals in the API (county_total / city_total not null) and the form's total row.
TOTALS = CONTENT


def expected(table: dict[str, list[str]], role: str, state: str) -> set[str]:
    letters = table[role][STATES.index(state)]
    return ({"county"} if "C" in letters else set()) | ({"city"} if "Y" in letters else set())


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = build_world()
            _add_returned(w)
            _mark(w)
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _add_returned(w: World) -> None:
    """A sheet the county scored and returned to the community (back in draft), in a period of its own."""
    cast = w.cast
    period = open_period(cast.city_admin, year=2019, name="2019年度评审", standard=w.standard,
                         communities=[cast.community])
    ev = Evaluation.objects.get(period=period, community=cast.community)
    checklist = set(checklist_fact_names(w.standard.standard))
    FactAnswer.objects.bulk_create([FactAnswer(evaluation=ev, name=f, value=v, answered_by=cast.operator)
                                    for f, v in GOOD_FACTS.items() if f in checklist])
    _fill(cast, ev, Stage.SELF)
    workflow.transition(ev, cast.operator, "submit")
    workflow.transition(ev, cast.county_reviewer, "county_start")
    _fill(cast, ev, Stage.COUNTY)
    workflow.transition(ev, cast.county_reviewer, "county_return", comment="请补充材料", lines=["1.1"])
    ev.refresh_from_db()
    assert ev.state == State.DRAFT
    w.sheets["returned"] = ev


def _mark(w: World) -> None:
    """Marker reasons per reviewer stage, and one audit event per stage that has data."""
    for ev in w.sheets.values():
        for stage, mark, user in ((Stage.COUNTY, COUNTY_MARK, w.cast.county_reviewer),
                                  (Stage.CITY, CITY_MARK, w.cast.city_reviewer)):
            n = LineScore.objects.filter(evaluation=ev, stage=stage).update(reason=mark)
            if n:
                record(ev, user, "reason", line_id="1.1", stage=stage, field="reason", old="", new=mark)
        # The fixture writes scores as rows: store the totals as a save through the services would.
        refresh_cached_result(Evaluation.objects.select_related("period__standard").get(pk=ev.pk))


def seen_stages(text: str) -> set[str]:
    return ({"county"} if COUNTY_MARK in text else set()) | ({"city"} if CITY_MARK in text else set())


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.cast.users_by_role()[role]
    assert client.login(username=user.username, password=PASSWORD)
    return client


CELLS = [(role, state) for role in ROLES for state in STATES]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "state"), CELLS)
def test_sheet_page(world, role, state):
    ev = world.sheets[state]
    html = client_for(world, role).get(reverse("evaluations:detail", args=[ev.pk])).content.decode()
    columns = {s for s in ("county", "city") if f'data-testid="stage-head-{s}"' in html}
    totals = {s for s in ("county", "city") if f'data-testid="total-{s}"' in html}
    assert columns == expected(COLUMNS, role, state)
    assert totals == expected(COLUMNS, role, state)
    assert ('data-testid="final-star"' in html) == ("city" in expected(COLUMNS, role, state))
    assert seen_stages(html) == expected(CONTENT, role, state)
    assert 'data-testid="total-self"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "state"), CELLS)
def test_compare_page(world, role, state):
    ev = world.sheets[state]
    html = client_for(world, role).get(reverse("evaluations:compare", args=[ev.pk])).content.decode()
    cells = {s for s in ("county", "city") if f'data-stage="{s}" data-testid="cell-score"' in html}
    assert cells == expected(COLUMNS, role, state)
    assert seen_stages(html) == expected(CONTENT, role, state)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "state"), CELLS)
def test_print_view(world, role, state):
    ev = world.sheets[state]
    html = client_for(world, role).get(reverse("reports:form_print", args=[ev.pk])).content.decode()
    assert seen_stages(html) == expected(CONTENT, role, state)
    scored = {s for s in ("county", "city")
              if any(v.strip() not in ("", "／") for v in re.findall(rf'class="c-score" data-stage="{s}">([^<]*)<', html))}
    assert scored == expected(CONTENT, role, state)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "state"), CELLS)
def test_xlsx_form(world, role, state):
    from openpyxl import load_workbook

    ev = world.sheets[state]
    response = client_for(world, role).get(reverse("reports:form_download", args=[ev.pk, "xlsx"]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert seen_stages(text) == expected(CONTENT, role, state)
    total_row = next(r for r in ws.iter_rows() if r[0].value == "合 计")
    totals = {s for s, col in (("county", 5), ("city", 7)) if total_row[col].value not in (None, "")}
    assert totals == expected(TOTALS, role, state)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "state"), CELLS)
def test_api_detail_and_history(world, role, state):
    ev = world.sheets[state]
    api = ApiClient(world.cast.users_by_role()[role])
    detail = api.get(f"/evaluations/{ev.pk}").json()
    assert {s["stage"] for s in detail["scores"]} - {"self"} <= expected(COLUMNS, role, state)
    assert {s["stage"] for s in detail["scores"] if s["reason"]} == expected(CONTENT, role, state)
    totals = {s for s in ("county", "city") if detail[f"{s}_total"] is not None}
    assert totals == expected(TOTALS, role, state)
    if "city" not in expected(CONTENT, role, state):
        assert detail["star"] == ""
    history = api.get(f"/evaluations/{ev.pk}/history").json()
    assert {e["stage"] for e in history["items"] if e["stage"] != "self" and e["stage"]} == expected(
        CONTENT, role, state
    )
    listed = api.get("/evaluations", {"period": ev.period_id}).json()
    (row,) = [r for r in listed["items"] if r["id"] == ev.pk]
    assert {s for s in ("county", "city") if row[f"{s}_total"] is not None} == expected(TOTALS, role, state)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "state"), CELLS)
def test_api_star_filter_does_not_reveal_a_hidden_star(world, role, state):
    ev = world.sheets[state]
    ev.refresh_from_db()
    stars = [ev.star] if ev.star else ["", "三星", "四星", "五星"]
    api = ApiClient(world.cast.users_by_role()[role])
    found = set()
    for star in stars:
        listed = api.get("/evaluations", {"period": ev.period_id, "star": star}).json()
        if any(r["id"] == ev.pk for r in listed["items"]):
            found.add(star)
    if ev.star:
        # Filtering by the stored star finds the sheet only where the city's result is visible.
        assert bool(found) == ("city" in expected(TOTALS, role, state))
