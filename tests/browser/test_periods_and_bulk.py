"""Two journeys in Chromium: the city administrator opens and edits an evaluation period; the county
reviewer passes several sheets on to the city at once, and a sheet whose county stage is incomplete is
refused by name while the others go through."""

import datetime

import pytest

from evaluations.models import Evaluation, Period, PeriodChange, Stage, State
from evaluations.services.workflow import transition
from ledgers.facts import FACT_NAMES
from tests.browser.conftest import login
from tests.cast import PASSWORD, make_unit, make_user
from tests.evaluations.conftest import GOOD_FACTS, answer_facts, fill_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _nav(page, label):
    page.locator("nav").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state("networkidle")


def _fill_period_form(page, *, year, name, self_deadline, county_deadline, city_deadline, communities):
    page.fill("#id_year", str(year))
    page.fill("#id_name", name)
    # The standard select offers the loaded versions; the current one is preselected.
    assert page.locator("#id_standard option").count() >= 1
    page.fill("#id_star_bands", "五星 96\n四星 90\n三星 85")
    page.fill("#id_score_step", "0.5")
    page.fill("#id_self_deadline", self_deadline)
    page.fill("#id_county_deadline", county_deadline)
    page.fill("#id_city_deadline", city_deadline)
    # Whole districts, less the communities typed as not taking part (no list of every community).
    from orgs.models import Unit

    counties = {u.county_id for u in communities}
    boxes = page.locator("input[name=districts]")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        box.set_checked(int(box.get_attribute("value")) in counties)
    others = Unit.objects.filter(level="community", county_id__in=counties).exclude(
        pk__in=[u.pk for u in communities])
    page.fill("#id_excluded", "\n".join(u.full_name for u in others))


def test_admin_opens_a_period(page, cast, standard_version):
    year = 2027
    login(page, cast.city_admin.username, PASSWORD)
    _nav(page, "评估期管理")
    assert "尚未开启评估期" in page.locator("[data-testid=periods]").inner_text()
    page.locator("[data-testid=open-period]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/periods/new/")
    # Districts are offered (not every community); the form starts with all of them ticked.
    assert page.locator("input[name=districts]").count() == 2
    assert page.locator("input[name=communities]").count() == 0
    assert page.is_checked(f"input[name=districts][value='{cast.county.pk}']")
    # A community is found through the searchable picker and added to the "not taking part" list.
    page.fill("#period-community-search", "东华二")
    page.get_by_role("button", name="加入不参加").click()
    assert "东华二" in page.input_value("#id_excluded")

    # Bad input first: the county deadline before the community's own deadline.
    _fill_period_form(page, year=year, name="2027年度评审", self_deadline="2027-04-30",
                      county_deadline="2027-03-31", city_deadline="2027-05-31",
                      communities=[cast.community, cast.sibling])
    page.locator("[data-testid=save-period]").click()
    page.wait_for_load_state("networkidle")
    errors = page.locator("[data-testid=form-errors]")
    assert "县级审核截止日期（2027-03-31）不能早于社区自评截止日期（2027-04-30）" in errors.inner_text()
    assert not Period.objects.exists() and not Evaluation.objects.exists()
    # The form keeps what was typed, so only the wrong date needs correcting.
    assert page.input_value("#id_name") == "2027年度评审"
    assert page.is_checked(f"input[name=districts][value='{cast.county.pk}']")
    assert not page.is_checked(f"input[name=districts][value='{cast.other_county.pk}']")

    # Bad input caught by the form itself: no community at all.
    page.locator(f"input[name=districts][value='{cast.county.pk}']").uncheck()
    page.fill("#id_county_deadline", "2027-05-15")
    page.locator("[data-testid=save-period]").click()
    page.wait_for_load_state("networkidle")
    assert "请至少选择一个参加评估的社区。" in page.locator(".field-error").all_inner_texts()
    assert not Period.objects.exists()

    # Now a correct period of two communities of 东华街道.
    _fill_period_form(page, year=year, name="2027年度评审", self_deadline="2027-03-31",
                      county_deadline="2027-04-30", city_deadline="2027-05-31",
                      communities=[cast.community, cast.sibling])
    page.locator("[data-testid=save-period]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/periods/")
    assert "已开启评估期「2027年度评审」，为 2 个社区生成评估表。" in page.locator("#messages").inner_text()
    listed = page.locator("[data-testid=periods] tbody tr")
    assert listed.count() == 1
    text = listed.first.inner_text()
    for expected in ("2027", "2027年度评审", standard_version.version, "五星≥96", "2027-03-31 / 2027-04-30 / 2027-05-31",
                     "2 份", "可修改"):
        assert expected in text, (expected, text)
    period = Period.objects.get()
    assert period.star_bands[0] == {"name": "五星", "min": 96}
    assert set(period.evaluations.values_list("community_id", flat=True)) == {cast.community.pk, cast.sibling.pk}

    # The evaluation list shows one draft sheet per chosen community, and none for the others.
    _nav(page, "评估表")
    table = page.locator("[data-testid=evaluation-list]")
    assert table.locator("tbody tr").count() == 2
    for community in (cast.community, cast.sibling):
        assert "草稿" in table.locator(f"[data-testid='row-{community.name}']").inner_text()
    assert table.locator(f"[data-testid='row-{cast.other_community.name}']").count() == 0

    # The same year again is refused: one period per year.
    _nav(page, "评估期管理")
    page.locator("[data-testid=open-period]").click()
    page.wait_for_load_state("networkidle")
    _fill_period_form(page, year=year, name="重复年度", self_deadline="2027-03-31",
                      county_deadline="2027-04-30", city_deadline="2027-05-31", communities=[cast.other_community])
    page.locator("[data-testid=save-period]").click()
    page.wait_for_load_state("networkidle")
    assert "2027 年度的评估期已存在。" in page.locator("[data-testid=form-errors]").inner_text()
    assert Period.objects.count() == 1 and Evaluation.objects.count() == 2
    assert not page.console_errors, page.console_errors


def test_admin_edits_a_deadline_before_any_submission(page, cast, standard_version):
    from evaluations.services.periods import open_period

    period = open_period(
        cast.city_admin, year=2027, name="2027年度评审", standard=standard_version,
        communities=[cast.community, cast.sibling],
        self_deadline=datetime.date(2027, 3, 31), county_deadline=datetime.date(2027, 4, 30),
        city_deadline=datetime.date(2027, 5, 31),
    )
    login(page, cast.city_admin.username, PASSWORD)
    _nav(page, "评估期管理")
    listed = page.locator("[data-testid=periods] tbody tr")
    listed.first.get_by_role("link", name="修改设置").click()
    page.wait_for_load_state("networkidle")
    assert page.is_disabled("#id_year")
    # The saved settings are shown in the form: the deadlines included.
    assert page.input_value("#id_self_deadline") == "2027-03-31"
    assert page.input_value("#id_county_deadline") == "2027-04-30"
    assert page.input_value("#id_city_deadline") == "2027-05-31"
    page.fill("#id_city_deadline", "2027-06-15")
    page.locator("[data-testid=save-period]").click()
    page.wait_for_load_state("networkidle")
    assert "评估期设置已保存。" in page.locator("#messages").inner_text()
    assert "2027-03-31 / 2027-04-30 / 2027-06-15" in listed.first.inner_text()
    period.refresh_from_db()
    assert (period.self_deadline, period.county_deadline, period.city_deadline) == (
        datetime.date(2027, 3, 31), datetime.date(2027, 4, 30), datetime.date(2027, 6, 15))
    assert Evaluation.objects.filter(period=period).count() == 2
    change = PeriodChange.objects.filter(period=period, action="update").get()
    assert change.changes == {"city_deadline": {"old": "2027-05-31", "new": "2027-06-15"}}
    listed.first.get_by_role("link", name="修改设置").click()
    page.wait_for_load_state("networkidle")
    assert page.input_value("#id_city_deadline") == "2027-06-15"
    assert "修改评估期设置" in page.locator("body").inner_text()

    # A bad edit is refused with a Chinese message and changes nothing.
    page.fill("#id_self_deadline", "2027-07-01")
    page.locator("[data-testid=save-period]").click()
    page.wait_for_load_state("networkidle")
    assert "县级审核截止日期（2027-04-30）不能早于社区自评截止日期（2027-07-01）" in page.locator(
        "[data-testid=form-errors]").inner_text()
    period.refresh_from_db()
    assert period.self_deadline == datetime.date(2027, 3, 31)
    assert PeriodChange.objects.filter(period=period, action="update").count() == 1
    assert not page.console_errors, page.console_errors


def _to_county_review(ev, operator, county_reviewer):
    """Services only: the community answers its checklist facts (the ledger-computed ones are not typed
    in), scores itself and submits; the county starts reviewing."""
    answer_facts(ev, operator, {k: v for k, v in GOOD_FACTS.items() if k not in FACT_NAMES})
    fill_stage(ev, operator, Stage.SELF)
    transition(ev, operator, "submit")
    ev.refresh_from_db()
    transition(ev, county_reviewer, "county_start")
    ev.refresh_from_db()
    return ev


def test_county_reviewer_passes_sheets_in_bulk(page, cast, standard_version):
    from evaluations.services.periods import open_period

    third = make_unit("东华三社区", "C010103", "community", cast.street)
    operators = {
        cast.community.pk: cast.operator,
        cast.sibling.pk: make_user("t_sibling", "community_operator", cast.sibling),
        third.pk: make_user("t_third", "community_operator", third),
    }
    period = open_period(
        cast.city_admin, year=2026, name="2026年度评审", standard=standard_version,
        communities=[cast.community, cast.sibling, third, cast.other_community],
        self_deadline=datetime.date(2026, 3, 31), county_deadline=datetime.date(2026, 4, 30),
        city_deadline=datetime.date(2026, 5, 31),
    )
    sheets = {ev.community_id: ev for ev in Evaluation.objects.filter(period=period)}
    ready = [sheets[cast.community.pk], sheets[cast.sibling.pk]]
    for ev in ready + [sheets[third.pk]]:
        _to_county_review(ev, operators[ev.community_id], cast.county_reviewer)
    for ev in ready:
        fill_stage(ev, cast.county_reviewer, Stage.COUNTY)
    # The third sheet's county stage is left half done: only its first line is scored.
    first_line = standard_version.standard.stage_lines(Stage.COUNTY)[0]
    from evaluations.services.scores import save_score
    save_score(sheets[third.pk], cast.county_reviewer, first_line.id, Stage.COUNTY, first_line.max, "")

    login(page, cast.county_reviewer.username, PASSWORD)
    _nav(page, "评估表")
    table = page.locator("[data-testid=evaluation-list]")
    # The county reviewer sees the three sheets of their county only.
    assert table.locator("tbody tr").count() == 3
    assert table.locator(f"[data-testid='row-{cast.other_community.name}']").count() == 0
    for name in (cast.community.name, cast.sibling.name, third.name):
        row = table.locator(f"[data-testid='row-{name}']")
        assert "县级审核中" in row.inner_text()
        row.get_by_label(f"选择 {name}").check()
    page.locator("[data-testid=bulk-actions]").get_by_role("button", name="审核通过，报市级").click()
    page.wait_for_load_state("networkidle")

    messages = page.locator("#messages")
    success = messages.locator(".alert-success").inner_text()
    assert "「审核通过，报市级」已完成 2 份" in success
    assert cast.community.name in success and cast.sibling.name in success
    refusal = messages.locator(".alert-danger").inner_text()
    assert refusal.startswith(f"{third.name}：") and "县级审核尚未完成" in refusal, refusal
    assert messages.locator(".alert-danger").count() == 1

    for name in (cast.community.name, cast.sibling.name):
        assert "县级已通过（报市级）" in table.locator(f"[data-testid='row-{name}']").inner_text()
    assert "县级审核中" in table.locator(f"[data-testid='row-{third.name}']").inner_text()
    states = dict(Evaluation.objects.filter(period=period).values_list("community_id", "state"))
    assert states == {cast.community.pk: State.COUNTY_PASSED, cast.sibling.pk: State.COUNTY_PASSED,
                      third.pk: State.COUNTY_REVIEWING, cast.other_community.pk: State.DRAFT}
    assert not page.console_errors, page.console_errors
