"""The demo city for `make run`: 12 communities, a 2025 period all published and a 2026 period whose
sheets are spread over every state — all walked through the services, never by writing states.
Publication goes through the notice (公示, announcements.demo): 2025's ran in June 2025; 2026's first
batch ran over the National Day holiday and is published; a second 2026 notice is running now with one
upheld and one dismissed objection (the upheld one re-scored a line of the 三星 community).

Communities differ in quality (ledgers.demo.DEMO_TIERS by position: excellent, good, fair, weak): their
ledgers, checklist answers and the reviewers' discretionary scores follow the tier, so final scores
spread over 五星 / 四星 / 三星 / no star in both years.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from announcements import demo as notice_demo
from evaluations.facts import checklist_fact_names
from evaluations.models import Evaluation, Period, Stage, State
from evaluations.scoring import result_for
from evaluations.services import scores as score_service
from evaluations.services.periods import open_period
from evaluations.services.workflow import WorkflowError, transition
from ledgers.demo import create_demo_ledgers, demo_tier, frozen_ledger_facts
from orgs.demo import create_demo_org
from standards.loading import load_file
from standards.models import StandardVersion
from verification.demo import create_demo_verification

REASONS = {
    "一": "平台建设资料不全，酌情扣分",
    "二": "制度文本未上墙公布，酌情扣分",
    "三": "台帐信息更新不及时、部分记录缺失，酌情扣分",
    "四": "有一般性投诉，已整改，酌情扣分",
    "五": "创新做法有一定特色，推广价值一般",
}
# 2026: the state each community (by position in the demo tree) is walked to.
TARGETS_2026 = [
    State.DRAFT, "returned", State.SUBMITTED, State.COUNTY_REVIEWING, State.COUNTY_PASSED, State.CITY_REVIEWING,
    State.CITY_REVIEWED, State.PUBLISHED, State.PUBLISHED, "gate_failed", "disqualified", State.SUBMITTED,
]
# 2024 (a compact past period): these communities, published; with 2025 and 2026 they hold a star three years
# running (和平社区 and 城东社区 are published in 2026 too).
PAST_2024 = (0, 4, 7, 8)
ORDER = [State.DRAFT, State.SUBMITTED, State.COUNTY_REVIEWING, State.COUNTY_PASSED, State.CITY_REVIEWING,
         State.CITY_REVIEWED, State.PUBLISHED]
# An evaluation of year N is done around the turn of the year.
DEADLINES = {
    2024: (datetime.date(2024, 3, 31), datetime.date(2024, 4, 30), datetime.date(2024, 5, 31)),
    2025: (datetime.date(2025, 3, 31), datetime.date(2025, 4, 30), datetime.date(2025, 5, 31)),
    2026: (datetime.date(2026, 12, 31), datetime.date(2027, 1, 20), datetime.date(2027, 2, 10)),
}


@dataclass(frozen=True)
class Scoring:
    """How reviewers score a community of a tier where the standard leaves it to them."""

    share: float  # of a discretionary line's range deducted at the city stage (county a bit more, self less)
    innovation: tuple[str, str]  # line 5, by position parity
    missing: tuple[str, ...] = ()  # checklist items the community lacks


TIER_SCORING = {
    "excellent": Scoring(0.10, ("5", "4.5")),
    "good": Scoring(0.15, ("4", "4.5"), ("supervision_phone_published",)),
    "fair": Scoring(0.15, ("3.5", "3"), ("badges_worn",)),
    "weak": Scoring(0.22, ("2.5", "2"), ("certified_staff_count",)),
}
STAGE_SHARE = {Stage.SELF: 0.4, Stage.COUNTY: 1.2, Stage.CITY: 1.0}  # communities are generous with themselves


@contextmanager
def ledger_year_as(year: int, source: int) -> Iterator[None]:
    """The demo ledgers hold 2025–2026 only: a past period's sheets read the facts of `source` instead
    (live facts of drafts through `ledgers.facts`, snapshots through `ledgers.snapshots`)."""
    from ledgers import facts, snapshots

    originals = (facts.compute_community, snapshots.compute_community)

    def shifted(inner):
        return lambda y, cid: inner(source if y == year else y, cid)

    facts.compute_community, snapshots.compute_community = (shifted(f) for f in originals)
    try:
        yield
    finally:
        facts.compute_community, snapshots.compute_community = originals


def step_down(value: Decimal, amount: Decimal, low: Decimal) -> Decimal:
    return max(low, value - amount)


class Command(BaseCommand):
    help = ("Create the demo city, the 2024 (a few communities) and 2025 (published) and 2026 (every state) "
            "evaluation periods, and the register's demo (an appeal, a revoked star, an expert panel).")

    def add_arguments(self, parser):
        parser.add_argument("--password", default=None, help="demo password (default: DEMO_PASSWORD or built-in)")

    def handle(self, *args, password=None, **options):
        org = create_demo_org(password)
        if not StandardVersion.objects.filter(is_current=True).exists():
            load_file()
        standard = StandardVersion.objects.current()
        self.org = org
        self.admin = org["city_admin"]
        communities = org["communities"]
        self.tiers = {unit.pk: demo_tier(index) for index, unit in enumerate(communities)}

        created_2026 = not Period.objects.filter(year=2026).exists()
        p2026 = self.period(2026, standard, communities) if created_2026 else Period.objects.get(year=2026)
        # Ledgers for 2025 and 2026 (the 2025 sheets' facts come from the same ledgers).
        filled = create_demo_ledgers(p2026, tiers=self.tiers)
        self.stdout.write(f"台帐：为 {filled} 个社区生成了示范台帐")

        with frozen_ledger_facts():
            if not Period.objects.filter(year=2025).exists():
                p2025 = self.period(2025, standard, communities)
                for index, unit in enumerate(communities):
                    self.walk(Evaluation.objects.get(period=p2025, community=unit), index, State.PUBLISHED)
                # Publication follows the notice (公示): it ran five working days in June 2025.
                notice_demo.publish_through_notice(p2025, self.admin, datetime.date(2025, 6, 3))
                self.stdout.write("2025 年度：12 份评估表经公示后已公布")
            if not Period.objects.filter(year=2024).exists():
                # Compact: only the communities whose three years running the register shows.
                p2024 = self.period(2024, standard, [communities[i] for i in PAST_2024])
                with ledger_year_as(2024, 2025):
                    for index in PAST_2024:
                        self.walk(Evaluation.objects.get(period=p2024, community=communities[index]), index,
                                  State.PUBLISHED)
                    notice_demo.publish_through_notice(p2024, self.admin, datetime.date(2024, 6, 3))
                self.stdout.write(f"2024 年度：{len(PAST_2024)} 份评估表已公布（历年名录与连续三年达标）")
            if created_2026:
                # The sheets to publish first: their notice ran over the National Day holiday of 2026.
                order = sorted(enumerate(communities),
                               key=lambda item: TARGETS_2026[item[0] % len(TARGETS_2026)] != State.PUBLISHED)
                published = False
                for index, unit in order:
                    target = TARGETS_2026[index % len(TARGETS_2026)]
                    if target != State.PUBLISHED and not published:
                        notice_demo.publish_through_notice(p2026, self.admin, datetime.date(2026, 9, 28))
                        published = True
                    self.walk(Evaluation.objects.get(period=p2026, community=unit), index, target)
                # The city-reviewed sheet is on the notice running now, with an upheld and a dismissed objection.
                notice = notice_demo.running_notice(p2026, self.admin, self.org["city_reviewer"])
                self.stdout.write("2026 年度：评估表分布在各个流程状态；第 1 批经公示已公布，"
                                  f"「{notice.title}」公示中（异议 2 件：1 件部分成立、1 件不成立）")
                from register.demo import seed_register

                self.stdout.write(seed_register(org, communities))
                for note in create_demo_verification(p2026, org):
                    self.stdout.write(f"抽查核实：{note}")
            else:
                self.stdout.write("2026 年度评估期已存在，未改动（seed_demo 可重复运行）")
        self.stdout.write(self.style.SUCCESS(f"示范数据就绪。演示账号（密码均为 {org['password']}）："))
        for user in org["users"]:
            self.stdout.write(f"  {user.username:<14} {user.get_role_display():<8} {user.unit.full_name}")

    def period(self, year: int, standard, communities) -> Period:
        self_deadline, county_deadline, city_deadline = DEADLINES[year]
        return open_period(self.admin, year=year, name=f"{year}年度充分就业星级社区评审", standard=standard,
                           communities=communities, self_deadline=self_deadline, county_deadline=county_deadline,
                           city_deadline=city_deadline)

    # --------------------------------------------------------------------------------------------

    def operator(self, ev):
        return self.org["operators"][ev.community.code]

    def county_reviewer(self, ev):
        return next(u for u in self.org["county_reviewers"] if u.unit_id == ev.community.county_id)

    def scoring(self, ev) -> Scoring:
        return TIER_SCORING[self.tiers.get(ev.community_id, "good")]

    def answer_facts(self, ev, index: int, target):
        std = ev.period.standard.standard
        user = self.operator(ev)
        missing = self.scoring(ev).missing
        for name in checklist_fact_names(std):
            fact = std.facts[name]
            if fact.type == "bool":
                value = name not in missing
                if name == "serious_incident":
                    value = target == "disqualified"
                elif name == "service_window" and target == "gate_failed":
                    value = False
            elif name == "service_area_m2":
                value = 15 + index * 2
            elif name == "staff_count":
                value = 2 + index % 3
            elif name in ("fulltime_staff_count", "certified_staff_count"):
                value = 0 if name in missing else 1 + index % 2
            elif name == "entrepreneurship_training_referrals":  # only asked when no ledgers compute it
                value = 2 + index % 3
            elif name in ("graduates_served", "graduates_placed"):
                value = 4 if name == "graduates_served" else 1 + index % 3
            else:
                value = 5 + index % 4
            ev = score_service.answer_fact(ev, user, name, value).evaluation
        return ev

    def discretionary(self, ev, line, sug, stage: str, index: int, li: int) -> Decimal:
        """A reviewer's score where the standard leaves it to them: near the top for good communities."""
        step = Decimal(ev.period.score_step)
        low, high = sug.bounds if sug.bounds else (Decimal(0), line.max)
        share = self.scoring(ev).share * STAGE_SHARE[stage] * (0.8 + 0.2 * ((index + li) % 3))
        if line.kind != "discretionary":
            share *= 2  # the facts show a shortfall (1.3 equipment, 3.5.4 long-term unemployed, 3.6 one post)
        deduction = Decimal(math.floor(float(high - low) * share / float(step))) * step
        return step_down(high, deduction, low)

    def fill(self, ev, stage: str, index: int, user):
        """Score every line of a stage like a careful reviewer: the suggestion where there is one."""
        std = ev.period.standard.standard
        step = Decimal(ev.period.score_step)
        suggestions = result_for(ev, stages=[]).suggestions
        for li, line in enumerate(std.stage_lines(stage)):
            sug = suggestions[line.id]
            value = sug.score if sug.score is not None else self.discretionary(ev, line, sug, stage, index, li)
            reason = ""
            if stage != Stage.SELF:
                if line.innovation:
                    value = Decimal(self.scoring(ev).innovation[index % 2])
                elif (stage == Stage.COUNTY and sug.score is None and (index + li) % 7 == 0 and value > 0):
                    value = step_down(value, step, Decimal(0))  # the county is stricter on a few lines
                if sug.score is not None and value == sug.score and value < line.max:
                    reason = f"按台帐核定：{sug.explanation}"[:300]
                elif value < line.max or (sug.score is not None and value != sug.score):
                    reason = REASONS[line.section]
            ev = score_service.save_score(ev, user, line.id, stage, value, reason).evaluation
        return ev

    def act(self, ev, user, action: str, **kw):
        try:
            return transition(ev, user, action, **kw)
        except WorkflowError as exc:
            raise CommandError(f"{ev}：{exc.message} {'；'.join(exc.problems[:5])}") from None

    def walk(self, ev, index: int, target) -> None:
        op, county, city = self.operator(ev), self.county_reviewer(ev), self.org["city_reviewer"]
        if target == "disqualified":
            # The ledger holds the incident that the checklist's serious_incident answer rests on.
            from ledgers.models import Complaint, ComplaintKind

            Complaint.objects.get_or_create(
                community=ev.community, kind=ComplaintKind.COLLECTIVE, summary="因公益性岗位补贴发放问题，十余人集体到区政府上访",
                defaults={"received_on": datetime.date(ev.period.year, 6, 18), "serious": True, "staff_fault": True,
                          "handling": "经区、街道协调已补发，相关人员已约谈；事件在当地造成较大影响。"},
            )
        ev = self.answer_facts(ev, index, target)
        if target == State.DRAFT:
            # Half-filled: the community is still at work.
            std = ev.period.standard.standard
            suggestions = result_for(ev, stages=[]).suggestions
            for line in std.stage_lines(Stage.SELF)[:10]:
                value = suggestions[line.id].score
                ev = score_service.save_score(ev, op, line.id, Stage.SELF, line.max if value is None else value,
                                              "").evaluation
            score_service.save_innovation_text(ev, op, "开设“家门口就业服务站”，每周三下午集中开展职业指导。")
            return
        ev = self.fill(ev, Stage.SELF, index, op)
        score_service.save_innovation_text(
            ev, op, f"{ev.community.name}创新做法：建立“就业服务微信群”，线上推送岗位信息，线下跟踪帮扶。")
        ev = self.act(ev, op, "submit")
        goal = {"returned": State.DRAFT, "gate_failed": State.SUBMITTED, "disqualified": State.COUNTY_REVIEWING}
        final = goal.get(target, target)
        if final == State.SUBMITTED:
            return
        ev = self.act(ev, county, "county_start")
        if target == "returned":
            self.fill(ev, Stage.COUNTY, index, county)
            self.act(ev, county, "county_return", comment="第 3.1.1 行台帐未联网，请补充联网截图并修改自评分。",
                     lines=["3.1.1", "3.2.2"])
            return
        if final == State.COUNTY_REVIEWING:
            # In review: the county has scored the first lines.
            std = ev.period.standard.standard
            suggestions = result_for(ev, stages=[]).suggestions
            for line in std.stage_lines(Stage.COUNTY)[:8]:
                sug = suggestions[line.id].score
                value = sug if sug is not None else line.max
                reason = REASONS[line.section] if value < line.max else ""
                ev = score_service.save_score(ev, county, line.id, Stage.COUNTY, value, reason).evaluation
            return
        ev = self.fill(ev, Stage.COUNTY, index, county)
        ev = self.act(ev, county, "county_pass")
        if final == State.COUNTY_PASSED:
            return
        ev = self.act(ev, city, "city_start")
        if final == State.CITY_REVIEWING:
            return
        ev = self.fill(ev, Stage.CITY, index, city)
        ev = self.act(ev, city, "city_complete")
        # Publication follows the period's notice (announcements.demo), for every sheet at once.
