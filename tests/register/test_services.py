"""Register services: awards follow publication; downgrade and revocation; appeals with an independent
reviewer; the expert panel; year over year; national eligibility."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluations.models import AuditEvent, Evaluation, LineScore, Stage, State
from evaluations.services import scores as score_service
from evaluations.services.workflow import NotAllowed, WorkflowError, transition
from register import selectors
from register.models import Appeal, AppealStatus, Award, AwardChange, AwardStatus, PanelMethod, PanelRating
from register.services import appeals, awards, panel
from register.services.rules import rules_for, update_rules
from standards.numbers import round_to_step
from tests.announcements.helpers import ended_notice

from .conftest import make_sheet

PDF = b"%PDF-1.4\n%%EOF\n"


def pdf(name: str = "决定.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)


# ------------------------------------------------------------------------------------------------ awards


def test_publication_creates_one_award_with_a_certificate(cast, published):
    award = Award.objects.get(evaluation=published)
    assert (award.certificate_no, award.star, award.awarded_star, award.status) == ("2025-0001", "五星", "五星", "valid")
    assert award.total == published.city_total == Decimal(100)
    assert list(award.changes.values_list("kind", flat=True)) == ["award"]
    # Reopened and published again: the same award, no second certificate.
    ev = transition(published, cast.city_admin, "reopen", comment="更正笔误")
    ev = transition(ev, cast.city_reviewer, "city_complete")
    Evaluation.objects.filter(pk=ev.pk).update(state=State.NOTICE)
    ended_notice(ev, cast.city_admin)
    ev.refresh_from_db()
    transition(ev, cast.city_admin, "publish")
    assert Award.objects.filter(community=cast.community).count() == 1


def test_no_star_no_award(cast, standard_version):
    ev = make_sheet(cast, standard_version, 2025, cast.community, until="city_complete")
    ev.star = ""  # below every band (the result the engine gives such a sheet)
    assert awards.record_award(ev, cast.city_admin) is None
    assert not Award.objects.filter(evaluation=ev).exists()


def test_downgrade_then_revoke_with_reasons_and_documents(cast, published):
    award = Award.objects.get(evaluation=published)
    with pytest.raises(awards.RegisterError, match="原因"):
        awards.change_status(award, cast.city_admin, "revoke", "", pdf())
    with pytest.raises(awards.RegisterError, match="决定文件"):
        awards.change_status(award, cast.city_admin, "revoke", "发生重大事件", None)
    with pytest.raises(awards.RegisterError, match="低于「五星」"):
        awards.change_status(award, cast.city_admin, "downgrade", "复核不达标", pdf(), new_star="五星")
    with pytest.raises(awards.RegisterError, match="市级管理员"):
        awards.change_status(award, cast.city_reviewer, "revoke", "发生重大事件", pdf())
    award = awards.change_status(award, cast.city_admin, "downgrade", "年度复核就业率未达标", pdf(), new_star="四星")
    assert (award.star, award.status) == ("四星", AwardStatus.DOWNGRADED)
    award = awards.change_status(award, cast.city_admin, "revoke", "发生群体性事件", pdf("摘牌决定.pdf"))
    assert award.status == AwardStatus.REVOKED
    last = award.changes.order_by("-id").first()
    assert (last.kind, last.old_status, last.new_status, last.document_name) == ("revoke", "downgraded", "revoked",
                                                                                 "摘牌决定.pdf")
    assert last.document.read() == PDF
    with pytest.raises(awards.RegisterError, match="已摘牌"):
        awards.change_status(award, cast.city_admin, "revoke", "再次", pdf())


def test_award_changes_are_append_only(cast, published):
    change = AwardChange.objects.get(award__evaluation=published)
    with pytest.raises(PermissionError):
        change.save()


# ------------------------------------------------------------------------------------------------ appeals


def test_appeal_window_and_one_open_appeal(cast, published):
    assert appeals.appeal_deadline(published) == timezone.localdate(published.published_at) + datetime.timedelta(15)
    update_rules(published.period, cast.city_admin, appeal_days=3, panel_method="mean", panel_exclude_own_district=True)
    assert appeals.appeal_deadline(published) == timezone.localdate(published.published_at) + datetime.timedelta(3)
    late = timezone.localdate() + datetime.timedelta(days=4)
    assert "期限已过" in appeals.appeal_refusal(published, cast.operator, today=late)
    assert "社区填报人员" in appeals.appeal_refusal(published, cast.city_reviewer)
    appeal = appeals.file_appeal(published, cast.operator, "第 5 行创新工作评分偏低", [pdf("说明.pdf")])
    assert appeal.files.get().original_name == "说明.pdf"
    assert AuditEvent.objects.filter(evaluation=published, kind="appeal").exists()
    with pytest.raises(WorkflowError, match="正在办理"):
        appeals.file_appeal(published, cast.operator, "再申请", [])


def test_appeal_out_of_time_is_refused(cast, published):
    Evaluation.objects.filter(pk=published.pk).update(published_at=timezone.now() - datetime.timedelta(days=16))
    published.refresh_from_db()
    with pytest.raises(WorkflowError, match="期限已过"):
        appeals.file_appeal(published, cast.operator, "理由", [])


def test_outsider_cannot_appeal_another_community(cast, published):
    with pytest.raises(NotAllowed):
        appeals.file_appeal(published, cast.outsider, "理由", [])


def test_reviewers_of_the_sheet_are_refused_a_second_decides_kept(cast, published, second_reviewer):
    appeal = appeals.file_appeal(published, cast.operator, "请复核", [])
    # The city reviewer started and completed the city review; the administrator published it.
    for involved in (cast.city_reviewer, cast.city_admin):
        with pytest.raises(NotAllowed, match="参与过该评估表的市级复核"):
            appeals.keep(appeal, involved, "维持")
    with pytest.raises(NotAllowed):
        appeals.keep(appeal, cast.county_reviewer, "维持")
    decided = appeals.keep(appeal, second_reviewer, "经核查，原评分有据")
    assert (decided.status, decided.decided_by, decided.new_star) == (AppealStatus.KEPT, second_reviewer, "五星")
    published.refresh_from_db()
    assert published.state == State.PUBLISHED


def test_a_changed_result_rescores_the_city_column_and_updates_the_register(cast, published, second_reviewer):
    appeal = appeals.file_appeal(published, cast.operator, "请复核第 1.1 行", [])
    appeal = appeals.start_rescoring(appeal, second_reviewer, "受理，重新核查")
    ev = Evaluation.objects.get(pk=published.pk)
    assert ev.state == State.APPEAL_REVIEWING
    # The city column through the score service (the one path for scores).
    standard = ev.period.standard.standard
    for line_id, minus in (("1.1", 1), ("3.1.1", 3), ("3.2.1", 2)):
        line = standard.lines_by_id[line_id]
        ev = score_service.save_score(ev, second_reviewer, line_id, Stage.CITY, Decimal(str(line.max)) - minus,
                                      "复核核减").evaluation
    decided = appeals.complete(appeal, second_reviewer, "核减 3 项得分")
    ev.refresh_from_db()
    assert ev.state == State.PUBLISHED and decided.status == AppealStatus.CHANGED
    assert decided.old_total == Decimal(100) and decided.new_total == ev.city_total < Decimal(100)
    award = Award.objects.get(evaluation=ev)
    assert award.star == ev.star and award.total == ev.city_total
    if ev.star != "五星":
        assert award.changes.filter(kind="appeal").exists()


def test_rescoring_without_change_ends_kept(cast, published, second_reviewer):
    appeal = appeals.start_rescoring(appeals.file_appeal(published, cast.operator, "请复核", []), second_reviewer, "受理")
    decided = appeals.complete(appeal, second_reviewer, "重新核查后未发现问题")
    assert decided.status == AppealStatus.KEPT


# ------------------------------------------------------------------------------------------------ panel


@pytest.mark.parametrize(("scores", "method", "step", "expected"), [
    (["4", "4.5", "3"], PanelMethod.MEAN, "0.5", Decimal("4")),  # 3.83 → 4
    (["4", "4.5", "3"], PanelMethod.TRIMMED, "0.5", Decimal("4")),
    (["5", "4.5", "2", "4"], PanelMethod.TRIMMED, "0.5", Decimal("4.5")),  # (4+4.5)/2 = 4.25 → 4.5
    (["5", "4.5", "2", "4"], PanelMethod.MEAN, "0.5", Decimal("4")),  # 3.875 → 4
    (["3", "4"], PanelMethod.TRIMMED, "1", Decimal("4")),  # two raters: nothing to trim; 3.5 → 4
])
def test_combine(scores, method, step, expected):
    assert panel.combine([Decimal(s) for s in scores], method, Decimal(step)) == expected


def test_round_to_step():
    assert round_to_step(Decimal("4.25"), Decimal("0.5")) == Decimal("4.5")
    assert round_to_step(Decimal("4.24"), Decimal("0.5")) == Decimal("4")
    assert round_to_step(Decimal("0.1"), Decimal("0.5")) == 0


def test_panel_raters_score_independently_and_the_mean_is_adopted(cast, standard_version, second_reviewer):
    ev = make_sheet(cast, standard_version, 2025, cast.community, until="city_start")
    line_id = standard_version.standard.innovation_line
    assert line_id == "5"
    # The county reviewer of the community's own district is excluded (the period's default).
    eligible = set(panel.eligible_raters(ev))
    assert cast.county_reviewer not in eligible and cast.other_county_reviewer in eligible
    with pytest.raises(WorkflowError, match="不能担任"):
        panel.assign(ev, cast.city_admin, [cast.county_reviewer.pk, second_reviewer.pk])
    with pytest.raises(NotAllowed):
        panel.assign(ev, cast.county_reviewer, [cast.other_county_reviewer.pk, second_reviewer.pk])
    panel.assign(ev, cast.city_admin, [cast.other_county_reviewer.pk, second_reviewer.pk, cast.city_reviewer.pk])
    ratings = {r.rater_id: r for r in PanelRating.objects.filter(evaluation=ev)}
    with pytest.raises(NotAllowed):
        panel.rate(ratings[second_reviewer.pk], cast.other_county_reviewer, "4")
    with pytest.raises(WorkflowError, match="步长|超出"):
        panel.rate(ratings[second_reviewer.pk], second_reviewer, "4.3")
    panel.rate(ratings[second_reviewer.pk], second_reviewer, "4.5")
    panel.rate(ratings[cast.other_county_reviewer.pk], cast.other_county_reviewer, "3")
    partial = panel.result(ev)
    assert (partial.scored, partial.assigned, partial.scores, partial.value) == (2, 3, (), None)
    # The sheet's history says a rater scored, not what.
    assert not AuditEvent.objects.filter(evaluation=ev, kind="panel", new__isnull=False).exists()
    with pytest.raises(WorkflowError, match="尚未全部评分"):
        panel.adopt(ev, cast.city_reviewer)
    panel.rate(ratings[cast.city_reviewer.pk], cast.city_reviewer, "4")
    outcome = panel.result(ev)
    assert outcome.complete and outcome.value == Decimal("4")  # (4.5+3+4)/3 = 3.83 → 4
    assert panel.adopt(ev, cast.city_reviewer) == Decimal("4")
    score = LineScore.objects.get(evaluation=ev, line_id=line_id, stage=Stage.CITY)
    assert score.score == Decimal("4") and "专家组 3 人评分" in score.reason


def test_panel_may_include_own_district_when_the_period_allows(cast, standard_version):
    ev = make_sheet(cast, standard_version, 2025, cast.community, until="city_start")
    update_rules(ev.period, cast.city_admin, appeal_days=15, panel_method=PanelMethod.TRIMMED,
                 panel_exclude_own_district=False)
    assert cast.county_reviewer in set(panel.eligible_raters(ev))
    assert rules_for(ev.period).panel_method == PanelMethod.TRIMMED
    assert ev.period.changes.filter(note="修改复核申请与专家组设置").count() == 1


# ------------------------------------------------------------------------------------------------ years


def test_year_over_year_baseline_and_national_eligibility(cast, standard_version):
    for year in (2023, 2024, 2025):
        make_sheet(cast, standard_version, year, cast.community)
    make_sheet(cast, standard_version, 2024, cast.other_community)  # held 2024, not 2025 (no sheet published)
    ev2026 = make_sheet(cast, standard_version, 2026, cast.community, until="submit")
    base = selectors.baseline_for(ev2026, cast.operator)
    assert base is not None and (base.year, base.star, base.total) == (2025, "五星", Decimal(100))
    line = standard_version.standard.lines_by_id["1.1"]
    assert base.scores["1.1"] == Decimal(str(line.max))  # last year's city score of the line
    from orgs.models import Unit

    communities = Unit.objects.filter(pk__in=[cast.community.pk, cast.other_community.pk])
    eligible = selectors.national_candidates(communities)
    assert [(e.community, e.years) for e in eligible] == [(cast.community, [2023, 2024, 2025])]
    # A revoked year breaks the run.
    award = Award.objects.get(community=cast.community, period__year=2024)
    awards.change_status(award, cast.city_admin, "revoke", "重大事件", pdf())
    assert selectors.national_candidates(communities) == []
    from evaluations.models import Period

    previous, rows = selectors.year_over_year(Period.objects.get(year=2025), communities)
    assert previous.year == 2024
    by_district = dict(rows)
    assert by_district["东城区"] == [1, 0, 0, 0]  # 2024 revoked, 2025 held: gained
    assert by_district["西城区"] == [0, 0, 0, 1]  # held 2024, 2025 not published yet


def test_appeal_model_str(cast, published):
    appeal = appeals.file_appeal(published, cast.operator, "请复核", [])
    assert "复核申请" in str(Appeal.objects.get(pk=appeal.pk))


def test_one_appeal_per_published_result(cast, published, second_reviewer):
    appeals.keep(appeals.file_appeal(published, cast.operator, "请复核", []), second_reviewer, "维持")
    assert "已申请过复核" in appeals.appeal_refusal(published, cast.operator)
