"""The notice and objection services: freezing the list, the window, cases, reopening, publication."""

import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from announcements import services
from announcements.models import CaseStatus, Channel, Decision, NoticeEvent, Objection
from evaluations.models import AuditEvent, Evaluation, LineScore, Stage, State
from evaluations.services import scores as score_service
from evaluations.services.workflow import NotAllowed, WorkflowError, transition

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 9, 28)  # a Monday; the five working days end on 10-09 (国庆节 in between)


@pytest.fixture
def today():
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield TODAY


def start(cast, period, **kw):
    return services.start_notice(period, cast.city_admin, **kw)


def test_start_freezes_the_list_and_moves_the_sheets(cast, period, reviewed, today):
    notice = start(cast, period)
    assert (notice.starts_on, notice.ends_on, notice.working_days) == (TODAY, datetime.date(2026, 10, 9), 5)
    assert notice.calendar_note == "" and "异议" in notice.how_to_object
    entries = list(notice.entries.order_by("community_name"))
    assert [(e.community_name, e.district, e.total, e.star) for e in entries] == [
        ("东华一社区", "东城区", 100, "五星"), ("东华二社区", "东城区", 100, "五星")]
    assert set(Evaluation.objects.filter(period=period).values_list("state", flat=True)) == {
        State.NOTICE, State.DRAFT}
    assert all(ev.transitions.filter(action="start_notice").exists() for ev in reviewed)
    assert NoticeEvent.objects.filter(notice=notice, action="start", user=cast.city_admin).exists()
    # The frozen list does not follow later changes of the sheet row.
    Evaluation.objects.filter(pk=reviewed[0].pk).update(city_total=50, star="")
    assert notice.entries.get(evaluation=reviewed[0]).total == 100


def test_start_is_refused_without_sheets_for_other_roles_in_the_past_or_too_short(cast, period, today):
    with pytest.raises(services.NoticeError, match="没有「市级已复核」的评估表"):
        start(cast, period)
    with pytest.raises(NotAllowed):
        services.start_notice(period, cast.city_reviewer)
    with pytest.raises(services.NoticeError, match="不能早于今天"):
        start(cast, period, start_on=TODAY - datetime.timedelta(days=1))
    with pytest.raises(services.NoticeError, match="5～30 个工作日"):
        start(cast, period, working_days=4)


def test_window_in_a_year_the_calendar_lacks_is_noted(cast, period, reviewed):
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 12, 28)):
        notice = start(cast, period, working_days=7)
    assert notice.ends_on == datetime.date(2027, 1, 5) and "2027年" in notice.calendar_note  # 01-01 counted


def test_publication_waits_for_the_window_then_for_open_cases(cast, period, reviewed, today):
    notice = start(cast, period)
    ev = Evaluation.objects.get(pk=reviewed[0].pk)
    with pytest.raises(WorkflowError, match="公示期至 2026年10月09日 截止"):
        transition(ev, cast.city_admin, "publish")
    case = services.record_objection(notice, cast.city_reviewer, channel=Channel.LETTER, objector="李女士",
                                     contact="13900001234", content="反映东华一社区台帐记录与实际不符，请核实。",
                                     entry=notice.entries.get(evaluation=ev))
    after = datetime.date(2026, 10, 12)
    with mock.patch("django.utils.timezone.localdate", return_value=after):
        with pytest.raises(WorkflowError, match=f"尚有 1 件未办结（{case.number}）"):
            transition(ev, cast.city_admin, "publish")
        services.assign(case, cast.city_admin, cast.city_reviewer)
        services.decide(case, cast.city_reviewer, decision=Decision.DISMISSED, reasons="经核查，台帐记录属实。")
        ev = transition(ev, cast.city_admin, "publish")
    assert ev.state == State.PUBLISHED
    entry = notice.entries.get(evaluation=ev)
    assert entry.published_at is not None
    # The published result records its notice, the window and the cases.
    note = AuditEvent.objects.get(evaluation=ev, kind="notice").note
    assert "2026-09-28 至 2026-10-09（5个工作日）" in note and f"{case.number}（异议不成立）" in note


def test_objections_only_during_the_window_and_validated(cast, period, reviewed, today):
    notice = start(cast, period, start_on=datetime.date(2026, 9, 30))
    with pytest.raises(services.NoticeError, match="尚不能受理"):
        services.submit_public_objection(notice, contact="13900001234", content="反映某社区材料与实际不符")
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 10, 8)):
        with pytest.raises(services.NoticeError, match="联系方式"):
            services.submit_public_objection(notice, contact=" ", content="反映某社区材料与实际不符")
        with pytest.raises(services.NoticeError, match="不能少于 10 字"):
            services.submit_public_objection(notice, contact="13900001234", content="不符")
        with pytest.raises(services.NoticeError, match="受理渠道"):
            services.record_objection(notice, cast.city_admin, channel=Channel.ONLINE, objector="甲",
                                      contact="1", content="反映某社区材料与实际不符")
        with pytest.raises(NotAllowed):
            services.record_objection(notice, cast.county_reviewer, channel=Channel.PHONE, objector="甲",
                                      contact="1", content="反映某社区材料与实际不符")
        first = services.submit_public_objection(notice, contact="13900001234", content="反映某社区材料与实际不符")
        second = services.record_objection(notice, cast.city_admin, channel=Channel.VISIT, objector="王先生",
                                           contact="东华路 1 号", content="反映某社区公益岗位安置不公开")
    assert (first.number, second.number) == ("YY2026-1-001", "YY2026-1-002")
    assert first.channel == Channel.ONLINE and first.received_by is None
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 10, 13)):
        with pytest.raises(services.NoticeError, match="已于 2026年10月12日 截止"):
            services.submit_public_objection(notice, contact="13900001234", content="反映某社区材料与实际不符")


def test_upheld_objection_reopens_the_lines_and_the_new_result_joins_the_list(cast, period, reviewed, today):
    notice = start(cast, period)
    ev = Evaluation.objects.get(pk=reviewed[0].pk)
    entry = notice.entries.get(evaluation=ev)
    case = services.submit_public_objection(notice, contact="13900001234", entry=entry,
                                            content="东华一社区两名失业人员从未接到回访，请核实。")
    with pytest.raises(services.NoticeError, match="当前为「待分派」"):
        services.decide(case, cast.city_admin, decision=Decision.UPHELD, reasons="属实", lines=["1.2"])
    services.assign(case, cast.city_admin, cast.city_reviewer)
    with pytest.raises(NotAllowed):  # another city reviewer is not the case's
        services.add_note(case, cast.county_reviewer, "记录")
    services.add_note(case, cast.city_reviewer, "电话回访 6 人，2 人未接到回访。")
    services.add_file(case, cast.city_reviewer, SimpleUploadedFile("回访记录.pdf", b"%PDF-1.4\n%%EOF\n"))
    with pytest.raises(services.NoticeError, match="请选择需要重新复核的评审项"):
        services.decide(case, cast.city_reviewer, decision=Decision.UPHELD, reasons="属实")
    case = services.decide(case, cast.city_reviewer, decision=Decision.PARTLY, reasons="部分属实", lines=["1.2"])
    assert case.status == CaseStatus.REVIEWING and case.lines == ["1.2"]
    ev.refresh_from_db()
    assert ev.state == State.CITY_REVIEWING and ev.returned_lines == ["1.2"] and ev.returned_by == "objection"
    assert case.number in ev.return_comment
    t = ev.transitions.latest("id")
    assert (t.action, t.user, t.lines) == ("reopen_for_objection", cast.city_reviewer, ["1.2"])
    entry.refresh_from_db()
    assert entry.reopened and services.open_cases(notice).count() == 1

    # The city re-scores the line and completes: the sheet rejoins the notice, the case closes.
    old = LineScore.objects.get(evaluation=ev, line_id="1.2", stage=Stage.CITY).score
    score_service.save_score(ev, cast.city_reviewer, "1.2", Stage.CITY, old - 1, "回访记录不实，扣 1 分")
    ev = transition(Evaluation.objects.get(pk=ev.pk), cast.city_reviewer, "city_complete")
    assert ev.state == State.NOTICE and ev.returned_lines == [] and ev.returned_by == ""
    assert [t.action for t in ev.transitions.order_by("id")][-3:] == [
        "reopen_for_objection", "city_complete", "rejoin_notice"]
    entry.refresh_from_db()
    assert not entry.reopened and entry.revised_total == 99 and entry.total == 100 and entry.revised_star == "五星"
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert services.open_cases(notice).count() == 0
    from announcements.selectors import public_rows

    row = next(r for r in public_rows(notice) if r.community == "东华一社区")
    assert row.total == 99 and row.revised


def test_dismissed_objection_closes_the_case_and_changes_nothing(cast, period, reviewed, today):
    notice = start(cast, period)
    entry = notice.entries.first()
    case = services.record_objection(notice, cast.city_admin, channel=Channel.PHONE, objector="匿名",
                                     contact="0571-88886666", content="来电反映公益性岗位安置不公开。", entry=entry)
    services.assign(case, cast.city_admin, cast.city_admin)
    case = services.decide(case, cast.city_admin, decision=Decision.DISMISSED, reasons="经核查不属实。",
                           lines=["1.2"])
    assert case.status == CaseStatus.CLOSED and case.lines == []
    assert Evaluation.objects.get(pk=entry.evaluation_id).state == State.NOTICE
    with pytest.raises(services.NoticeError, match="已办结"):
        services.decide(case, cast.city_admin, decision=Decision.UPHELD, reasons="改判", lines=["1.2"])


def test_assignment_only_to_city_staff_by_the_administrator(cast, period, reviewed, today):
    notice = start(cast, period)
    case = services.submit_public_objection(notice, contact="13900001234", content="反映某社区材料与实际不符")
    with pytest.raises(NotAllowed):
        services.assign(case, cast.city_reviewer, cast.city_reviewer)
    with pytest.raises(services.NoticeError, match="承办人须为"):
        services.assign(case, cast.city_admin, cast.county_reviewer)


def test_contact_masking_and_who_sees_it(cast, period, reviewed, today):
    assert services.mask_contact("13900001234") == "139****1234"
    assert services.mask_contact("东华路 1 号 3 单元") == "东********"
    notice = start(cast, period)
    case = services.submit_public_objection(notice, contact="13900001234", content="反映某社区材料与实际不符")
    assert services.may_see_contact(cast.city_admin, case)
    assert not services.may_see_contact(cast.city_reviewer, case)
    services.assign(case, cast.city_admin, cast.city_reviewer)
    case.refresh_from_db()
    assert services.may_see_contact(cast.city_reviewer, case)
    assert not services.may_see_contact(cast.county_reviewer, case)


def test_throttle_counts_recent_public_submissions_per_address(cast, period, reviewed, today, settings):
    settings.OBJECTION_THROTTLE_PER_HOUR = 2
    notice = start(cast, period)
    key, other = services.client_key("198.51.100.7"), services.client_key("198.51.100.8")
    assert key != other and "198" not in key
    for _ in range(2):
        assert not services.throttled(key)
        services.submit_public_objection(notice, contact="13900001234", content="反映某社区材料与实际不符",
                                         client=key)
    assert services.throttled(key) and not services.throttled(other)
    Objection.objects.filter(client_key=key).update(received_at=timezone.now() - datetime.timedelta(hours=2))
    assert not services.throttled(key)


# ------------------------------------------------------------------------------------------------
# Starting in parts (the page runs the moves as a background job)


def test_an_opened_notice_is_not_public_until_every_sheet_has_moved(cast, period, reviewed, today):
    notice = services.open_notice(period, cast.city_admin)
    assert not notice.ready and notice.phase() == "正在开始" and not notice.window_open()
    assert notice.entries.count() == 2
    assert set(Evaluation.objects.filter(pk__in=[e.pk for e in reviewed]).values_list("state", flat=True)) == {
        State.CITY_REVIEWED}
    with pytest.raises(services.NoticeError, match="尚未开始完成，暂不能受理异议"):
        services.record_objection(notice, cast.city_admin, channel=Channel.PHONE, objector="赵先生",
                                  contact="13900001234", content="反映东华一社区台帐与实际不符，请核实。")
    with pytest.raises(services.NoticeError, match="尚未开始完成，请在该公示页面继续"):
        services.open_notice(period, cast.city_admin)
    assert not NoticeEvent.objects.filter(notice=notice, action="start").exists()
    done = []
    notice = services.complete_start(notice, cast.city_admin, progress=lambda d, t: done.append((d, t)))
    assert notice.ready and done == [(2, 2)]
    assert set(Evaluation.objects.filter(pk__in=[e.pk for e in reviewed]).values_list("state", flat=True)) == {
        State.NOTICE}
    assert NoticeEvent.objects.filter(notice=notice, action="start").count() == 1


def test_an_interrupted_start_resumes_without_moving_a_sheet_twice(cast, period, reviewed, today, monkeypatch):
    monkeypatch.setattr(services, "START_CHUNK", 1)
    notice = services.open_notice(period, cast.city_admin)

    def killed(done, total):
        raise KeyboardInterrupt  # the worker stopped after the first chunk

    with pytest.raises(KeyboardInterrupt):
        services.complete_start(notice, cast.city_admin, progress=killed)
    notice.refresh_from_db()
    states = sorted(Evaluation.objects.filter(pk__in=[e.pk for e in reviewed]).values_list("state", flat=True))
    assert not notice.ready and states == sorted([State.NOTICE, State.CITY_REVIEWED])
    notice = services.complete_start(notice, cast.city_admin)
    assert notice.ready
    for ev in reviewed:
        assert ev.transitions.filter(action="start_notice").count() == 1
    assert services.complete_start(notice, cast.city_admin).ready  # a second run changes nothing
    assert NoticeEvent.objects.filter(notice=notice, action="start").count() == 1


def test_a_sheet_that_left_the_list_while_starting_is_taken_off_and_named(cast, period, reviewed, today):
    notice = services.open_notice(period, cast.city_admin)
    Evaluation.objects.filter(pk=reviewed[1].pk).update(state=State.CITY_REVIEWING)  # reopened meanwhile
    notice = services.complete_start(notice, cast.city_admin)
    assert [e.community_name for e in notice.entries.all()] == ["东华一社区"]
    event = NoticeEvent.objects.get(notice=notice, action="start")
    assert "公示 1 个社区" in event.note and "未列入：东华二社区" in event.note


def test_the_start_job_needs_the_right_to_start(cast, period, reviewed, today):
    notice = services.open_notice(period, cast.city_admin)
    with pytest.raises(NotAllowed):
        services.complete_start(notice, cast.city_reviewer)
    assert not Evaluation.objects.filter(pk__in=[e.pk for e in reviewed], state=State.NOTICE).exists()
