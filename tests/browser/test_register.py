"""After publication, in Chromium: an appeal decided by a second city reviewer (the reviewer of the sheet is
refused), and a star revoked with the register — including its public page — showing it."""

from __future__ import annotations

import pytest

from evaluations.models import Evaluation, State
from register.models import Appeal, AppealStatus, Award
from tests.browser.conftest import login
from tests.browser.test_journey import logout, score_with_reason
from tests.cast import PASSWORD
from tests.register.conftest import make_sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = {"name": "说明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}


@pytest.fixture
def second_reviewer(cast):
    from orgs.models import Role
    from tests.cast import make_user

    return make_user("t_city2", Role.CITY_REVIEWER, cast.city, display_name="第二复核员")


def test_appeal_decided_by_a_second_reviewer(page, cast, standard_version, second_reviewer):
    sheet = make_sheet(cast, standard_version, 2025, cast.community)
    # The community asks for a re-review from its published sheet.
    login(page, cast.operator.username, PASSWORD)
    page.goto(f"{page.live_url}/evaluations/{sheet.pk}/")
    page.get_by_test_id("appeal-start").click()
    page.fill("#id_reasons", "第 1.1 行平台建设资料已补齐，请复核。")
    page.set_input_files("#id_files", [PDF])
    page.get_by_test_id("appeal-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("appeal-status").inner_text() == "待审理"
    appeal = Appeal.objects.get(evaluation=sheet)
    logout(page)

    # The reviewer who did the sheet's city review is refused, with the reason.
    login(page, cast.city_reviewer.username, PASSWORD)
    page.goto(f"{page.live_url}/register/appeals/{appeal.pk}/")
    assert "参与过该评估表的市级复核" in page.get_by_test_id("appeal-not-independent").inner_text()
    page.fill("#id_decision", "维持")
    page.get_by_test_id("appeal-keep").click()
    page.wait_for_load_state("networkidle")
    assert "不能审理针对该结果的复核申请" in page.locator("#messages").inner_text()
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.OPEN
    logout(page)

    # A second city reviewer accepts it, re-scores line 1.1 on the sheet, and publishes the result again.
    login(page, second_reviewer.username, PASSWORD)
    page.goto(f"{page.live_url}/register/appeals/{appeal.pk}/")
    assert page.get_by_test_id("appeal-not-independent").count() == 0
    page.fill("#id_decision", "受理，重新核查第 1.1 行")
    page.get_by_test_id("appeal-rescore").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("state").inner_text() == "复核申请重新评分中"
    score_with_reason(page, "1.1", "city", "1", "复核：平台制度文本仍不完整")
    page.goto(f"{page.live_url}/register/appeals/{appeal.pk}/")
    page.fill("#id_decision", "经复核，第 1.1 行核减得分")
    page.get_by_test_id("appeal-complete").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("appeal-status").inner_text() == "改变原结果"
    sheet.refresh_from_db()
    line_max = standard_version.standard.lines_by_id["1.1"].max
    assert sheet.state == State.PUBLISHED and sheet.city_total == 100 - line_max + 1
    assert Award.objects.get(evaluation=sheet).total == sheet.city_total
    logout(page)

    # The outcome is shown with the result.
    login(page, cast.operator.username, PASSWORD)
    page.goto(f"{page.live_url}/evaluations/{sheet.pk}/")
    outcome = page.get_by_test_id("appeal-outcome").inner_text()
    assert "改变原结果" in outcome and "经复核，第 1.1 行核减得分" in outcome
    assert Evaluation.objects.get(pk=sheet.pk).appeals.get().decided_by == second_reviewer


def test_star_revoked_and_the_register_shows_it(page, cast, standard_version):
    sheet = make_sheet(cast, standard_version, 2025, cast.community)
    award = Award.objects.get(evaluation=sheet)
    login(page, cast.city_admin.username, PASSWORD)
    page.goto(f"{page.live_url}/register/")
    row = page.get_by_test_id(f"award-{award.certificate_no}")
    assert row.get_by_test_id("status").inner_text() == "有效"
    row.get_by_role("link", name=award.certificate_no).click()
    page.select_option("#id_action", "revoke")
    page.fill("#id_reason", "发生集体上访事件，社区处置不力，予以摘牌。")
    page.set_input_files("#id_document", [{**PDF, "name": "摘牌决定.pdf"}])
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("award-change-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("award-status").inner_text() == "已摘牌"
    assert "摘牌决定.pdf" in page.get_by_test_id("award-changes").inner_text()
    page.goto(f"{page.live_url}/register/?status=revoked")
    assert page.get_by_test_id(f"award-{award.certificate_no}").get_by_test_id("status").inner_text() == "已摘牌"
    page.goto(f"{page.live_url}/register/community/{cast.community.pk}/")
    assert "已摘牌" in page.get_by_test_id("community-history").inner_text()
    logout(page)
    # The public register, without logging in.
    page.goto(f"{page.live_url}/public/register/")
    public = page.get_by_test_id(f"public-award-{award.certificate_no}").inner_text()
    assert "已摘牌" in public and cast.community.name in public


def test_expert_panel_scores_the_innovation_line(page, cast, standard_version, second_reviewer):
    from evaluations.models import LineScore
    from register.models import PanelRating

    sheet = make_sheet(cast, standard_version, 2025, cast.community, until="city_start")
    login(page, cast.city_admin.username, PASSWORD)
    page.goto(f"{page.live_url}/evaluations/{sheet.pk}/")
    page.get_by_test_id("panel-link").click()
    form = page.get_by_test_id("panel-form")
    # The county reviewer of the community's own district is not offered (the period's default).
    assert f"{cast.county_reviewer.display_name}（" not in form.inner_text()
    form.get_by_label(second_reviewer.display_name, exact=False).check()
    form.get_by_label(cast.other_county_reviewer.username, exact=False).check()
    form.get_by_role("button", name="保存专家组").click()
    page.wait_for_load_state("networkidle")
    assert "已评分 0 / 2 人" in page.get_by_test_id("panel-progress").inner_text()
    logout(page)

    for rater, score in ((second_reviewer, "4.5"), (cast.other_county_reviewer, "3.5")):
        login(page, rater.username, PASSWORD)
        page.goto(f"{page.live_url}/register/panel/")
        page.get_by_test_id("panel-mine").get_by_role("link").first.click()
        page.fill("#id_score", score)
        page.get_by_test_id("panel-rate-submit").click()
        page.wait_for_load_state("networkidle")
        progress = page.get_by_test_id("panel-progress").inner_text()
        if rater == second_reviewer:  # the first rater sees only their own score
            assert "1 / 2" in progress and "3.5" not in progress
        else:
            assert "4" in page.get_by_test_id("panel-result").inner_text()
        logout(page)

    assert PanelRating.objects.filter(evaluation=sheet, score__isnull=False).count() == 2
    login(page, cast.city_reviewer.username, PASSWORD)
    page.goto(f"{page.live_url}/register/sheet/{sheet.pk}/panel/")
    page.get_by_test_id("panel-adopt").click()
    page.wait_for_load_state("networkidle")
    line = standard_version.standard.innovation_line
    assert LineScore.objects.get(evaluation=sheet, line_id=line, stage="city").score == 4
    assert page.get_by_test_id(f"value-{line}-city").count() + page.get_by_test_id(f"score-{line}-city").count() == 1
