"""The sheet at 1366×768 and on a 390-px phone: every column reachable, score inputs labelled; the person
list and page readable on a phone (issue 13, items 1 and 2)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from tests.browser.conftest import login
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _shot(page, name: str) -> None:
    if os.environ.get("BROWSER_SHOTS"):
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def _sheet(cast, standard_version, state):
    from evaluations.models import Evaluation
    from evaluations.services.periods import open_period

    period = open_period(
        cast.city_admin, year=2025, name="2025年度评审", standard=standard_version,
        communities=[cast.community], self_deadline=datetime.date(2026, 3, 31),
        county_deadline=datetime.date(2026, 4, 30), city_deadline=datetime.date(2026, 5, 31),
    )
    ev = Evaluation.objects.get(period=period, community=cast.community)
    Evaluation.objects.filter(pk=ev.pk).update(state=state)
    return ev


def _in_viewport(page, locator) -> None:
    """Scroll the element into view (the sheet's own box scrolls) and check it lies inside the window."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    assert box is not None, locator
    assert box["x"] >= -1 and box["x"] + min(box["width"], width) <= width + 1, (locator, box)
    assert box["y"] + min(box["height"], 40) <= height + 1 and box["y"] + box["height"] >= 0, (locator, box)


def _no_sideways_page(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("who", ["reviewer", "community"])
def test_every_sheet_column_reachable_and_scores_labelled(page, cast, standard_version, size, who):
    from evaluations.models import State

    state = State.CITY_REVIEWING if who == "reviewer" else State.DRAFT
    ev = _sheet(cast, standard_version, state)
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[size], strict=True)))
    login(page, "t_city" if who == "reviewer" else "t_operator", PASSWORD)
    page.goto(page.live_url + f"/evaluations/{ev.pk}/")
    _shot(page, f"sheet-{who}-{size}")
    _no_sideways_page(page)
    stage = "city" if who == "reviewer" else "self"
    rows = page.locator("[data-testid=sheet-table] tbody tr[data-line]")
    for row in (rows.first, rows.nth(rows.count() // 2), rows.last):
        cells = row.locator("td")
        for i in range(cells.count()):
            _in_viewport(page, cells.nth(i))
        # The line number stays in sight while the row's last column (材料) is shown.
        _in_viewport(page, row.locator("td.evidence-cell"))
        _in_viewport(page, row.locator("td.line-cell"))
    rows.nth(8).scroll_into_view_if_needed()
    _shot(page, f"sheet-{who}-{size}-table")
    inputs = page.locator("input.score-input, select.score-input")
    assert inputs.count() > 20
    for i in range(inputs.count()):
        label = inputs.nth(i).get_attribute("aria-label") or ""
        assert label.startswith("第 ") and "得分" in label, label
    line_id = rows.nth(3).get_attribute("data-line")
    score = page.get_by_test_id(f"score-{line_id}-{stage}")
    _in_viewport(page, score)
    if size == "phone":
        # On a phone the card shows the cell's name above the field.
        cell = page.get_by_test_id(f"score-cell-{line_id}-{stage}")
        before = page.evaluate("el => getComputedStyle(el, '::before').content", cell.element_handle())
        assert "得分" in before
        _shot(page, f"sheet-card-{who}")
    else:
        # The header row stays on top of the scrolled table.
        _in_viewport(page, page.locator("[data-testid=sheet-table] thead th.col-evidence"))
        if who == "reviewer":
            _in_viewport(page, page.get_by_test_id(f"reason-{line_id}-city"))
    # The section navigator shows each section's progress and jumps to it.
    links = page.get_by_test_id("section-link")
    assert links.count() >= 4 and "/" in links.first.inner_text()
    links.nth(2).click()
    target = links.nth(2).get_attribute("href")
    _in_viewport(page, page.locator(target))


def test_person_list_and_page_readable_on_a_phone(page, cast):
    from tests.ledgers import factories as f

    people = [f.person(cast.community, name=name) for name in ("欧阳明华", "张三", "李四")]
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "t_operator", PASSWORD)
    page.goto(page.live_url + "/ledgers/persons/")
    _shot(page, "persons-phone")
    _no_sideways_page(page)
    name = page.locator("[data-testid=person-table] td.card-title-cell a", has_text="欧阳明华")
    box = name.bounding_box()
    assert box["width"] > 40 and box["height"] < 40  # one line, not one character per line
    name.click()
    page.wait_for_load_state("networkidle")
    _shot(page, "person-phone")
    _no_sideways_page(page)
    assert people[0].name in page.locator("h1").inner_text()
