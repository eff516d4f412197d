"""The demo city's notices (called by evaluations' seed_demo): earlier notices that ran their window and
were published, and a notice running now with one upheld and one dismissed objection."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from evaluations.models import Evaluation, LineScore, Period, Stage, State
from evaluations.services import scores as score_service
from evaluations.services.workflow import transition
from orgs.models import User
from orgs.workdays import is_workday

from . import services
from .models import Channel, Decision, Notice


def publish_through_notice(period: Period, admin: User, start_on: datetime.date) -> Notice:
    """A notice that ran from `start_on` (in the past) without objections; its sheets are then published."""
    notice = services.start_notice(period, admin, start_on=start_on, allow_past=True)
    for ev in Evaluation.objects.filter(period=period, state=State.NOTICE).select_related("community"):
        transition(ev, admin, "publish")
    return notice


def last_working_day_before(day: datetime.date) -> datetime.date:
    day -= datetime.timedelta(days=1)
    while not is_workday(day):
        day -= datetime.timedelta(days=1)
    return day


def running_notice(period: Period, admin: User, reviewer: User) -> Notice:
    """A notice started on the last working day (so its window is open today), with two objections:
    one sent on the public page and upheld (a line re-scored, the new result back on the list), one
    received by phone and dismissed."""
    notice = services.start_notice(period, admin, start_on=last_working_day_before(timezone.localdate()),
                                   allow_past=True)
    entry = notice.entries.select_related("evaluation").order_by("community__code").first()
    if entry is None:
        return notice
    ev = entry.evaluation
    line = _line_to_rescore(ev)

    upheld = services.submit_public_objection(
        notice, contact="13800001234",
        content=f"{entry.community_name}公示材料称“就业困难人员帮扶全覆盖”，但本人所在楼栋两名失业人员从未接到社区回访，"
                "请核实其帮扶台帐。", entry=entry, client=services.client_key("192.0.2.10"))
    services.assign(upheld, admin, reviewer)
    services.add_note(upheld, reviewer, "电话回访台帐所列 6 名失业人员，其中 2 人表示近半年未接到社区回访，台帐记录与实际不符。")
    services.decide(upheld, reviewer, decision=Decision.PARTLY,
                    reasons=f"经电话回访核实，部分回访记录与实际不符，第 {line} 行重新复核；其余反映事项未发现问题。",
                    lines=[line])
    ev.refresh_from_db()
    current = LineScore.objects.get(evaluation=ev, line_id=line, stage=Stage.CITY).score or Decimal(0)
    lowered = max(Decimal(0), current - Decimal(1))
    score_service.save_score(ev, reviewer, line, Stage.CITY, lowered,
                             f"异议 {upheld.number} 核实：部分回访记录与实际不符，扣 1 分")
    ev.refresh_from_db()
    transition(ev, reviewer, "city_complete")  # rejoins the notice and closes the case

    dismissed = services.record_objection(
        notice, admin, channel=Channel.PHONE, objector="匿名", contact="0571-8888 6666",
        content=f"来电反映{entry.community_name}的公益性岗位安置人员是社区干部亲属，认为不应评为星级社区。", entry=entry)
    services.assign(dismissed, admin, reviewer)
    services.add_note(dismissed, reviewer, "调阅公益性岗位招聘公告、报名和公示材料，安置程序完整，未发现亲属关系。")
    services.decide(dismissed, reviewer, decision=Decision.DISMISSED,
                    reasons="经核查，公益性岗位按规定公开招聘并公示，未发现所反映的亲属关系，异议不成立。")
    return notice


def _line_to_rescore(ev: Evaluation) -> str:
    """A city-scored line of the ledgers' section with points to lose (never the innovation line)."""
    standard = ev.period.standard.standard
    scores = {s.line_id: s.score for s in LineScore.objects.filter(evaluation=ev, stage=Stage.CITY)}
    candidates = [line.id for line in standard.stage_lines(Stage.CITY)
                  if not line.innovation and line.kind == "discretionary" and (scores.get(line.id) or 0) >= 1]
    preferred = [lid for lid in candidates if lid.startswith("3.")]
    return (preferred or candidates)[0]
