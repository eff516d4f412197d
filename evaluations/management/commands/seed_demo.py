"""The demo city for `make run`: 12 communities, a 2025 period all published and a 2026 period whose
sheets are spread over every state — all walked through the services, never by writing states."""

from __future__ import annotations

import datetime
import importlib
import importlib.util
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from evaluations.facts import checklist_fact_names
from evaluations.models import Evaluation, Period, Stage, State
from evaluations.scoring import result_for
from evaluations.services import scores as score_service
from evaluations.services.periods import open_period
from evaluations.services.workflow import WorkflowError, transition
from orgs.demo import create_demo_org
from standards.loading import load_file
from standards.models import StandardVersion

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
ORDER = [State.DRAFT, State.SUBMITTED, State.COUNTY_REVIEWING, State.COUNTY_PASSED, State.CITY_REVIEWING,
         State.CITY_REVIEWED, State.PUBLISHED]


def step_down(value: Decimal, amount: Decimal, low: Decimal) -> Decimal:
    return max(low, value - amount)


class Command(BaseCommand):
    help = "Create the demo city, the 2025 (published) and 2026 (every state) evaluation periods."

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

        created_2026 = not Period.objects.filter(year=2026).exists()
        if created_2026:
            p2026 = open_period(self.admin, year=2026, name="2026年度充分就业星级社区评审", standard=standard,
                                communities=communities, self_deadline=datetime.date(2026, 3, 31),
                                county_deadline=datetime.date(2026, 4, 30), city_deadline=datetime.date(2026, 5, 31))
        else:
            p2026 = Period.objects.get(year=2026)
        if importlib.util.find_spec("ledgers.demo") is not None:
            filled = importlib.import_module("ledgers.demo").create_demo_ledgers(p2026)
            self.stdout.write(f"台帐：为 {filled} 个社区生成了示范台帐")

        if not Period.objects.filter(year=2025).exists():
            p2025 = open_period(self.admin, year=2025, name="2025年度充分就业星级社区评审", standard=standard,
                                communities=communities, self_deadline=datetime.date(2025, 3, 31),
                                county_deadline=datetime.date(2025, 4, 30), city_deadline=datetime.date(2025, 5, 31))
            for index, unit in enumerate(communities):
                self.walk(Evaluation.objects.get(period=p2025, community=unit), index, State.PUBLISHED, year_bonus=-1)
            self.stdout.write("2025 年度：12 份评估表已公布")
        if created_2026:
            for index, unit in enumerate(communities):
                target = TARGETS_2026[index % len(TARGETS_2026)]
                self.walk(Evaluation.objects.get(period=p2026, community=unit), index, target)
            self.stdout.write("2026 年度：评估表分布在各个流程状态")
        else:
            self.stdout.write("2026 年度评估期已存在，未改动（seed_demo 可重复运行）")
        self.stdout.write(self.style.SUCCESS(f"示范数据就绪。演示账号（密码均为 {org['password']}）："))
        for user in org["users"]:
            self.stdout.write(f"  {user.username:<14} {user.get_role_display():<8} {user.unit.full_name}")

    # --------------------------------------------------------------------------------------------

    def operator(self, ev):
        return self.org["operators"][ev.community.code]

    def county_reviewer(self, ev):
        return next(u for u in self.org["county_reviewers"] if u.unit_id == ev.community.county_id)

    def answer_facts(self, ev, index: int, target) -> None:
        std = ev.period.standard.standard
        user = self.operator(ev)
        for name in checklist_fact_names(std):
            fact = std.facts[name]
            if fact.type == "bool":
                value = True
                if name == "serious_incident":
                    value = target == "disqualified"
                elif name == "service_window" and target == "gate_failed":
                    value = False
                elif name in ("badges_worn", "equipment_complete", "entrepreneurship_guidance") and index % 3 == 1:
                    value = False
            elif name == "service_area_m2":
                value = 8 if index % 5 == 3 else 15 + index * 2
            elif name == "staff_count":
                value = 2 + index % 3
            elif name in ("fulltime_staff_count", "certified_staff_count"):
                value = 0 if (name == "certified_staff_count" and index % 4 == 2) else 1 + index % 2
            elif name == "entrepreneurship_training_referrals":
                value = index % 4
            elif name in ("graduates_served", "graduates_placed"):
                value = 3 if name == "graduates_served" else index % 3
            else:
                value = 5 + index % 4
            score_service.answer_fact(ev, user, name, value)
            ev.refresh_from_db()

    def fill(self, ev, stage: str, index: int, user) -> None:
        """Score every line of a stage like a careful reviewer: the suggestion where there is one."""
        std = ev.period.standard.standard
        step = Decimal(ev.period.score_step)
        suggestions = result_for(ev, stages=[]).suggestions
        for li, line in enumerate(std.stage_lines(stage)):
            sug = suggestions[line.id]
            if sug.score is not None:
                value = sug.score
            else:
                low, high = sug.bounds if sug.bounds else (Decimal(0), line.max)
                value = step_down(high, step * ((index + li) % 3), low)
            reason = ""
            if stage != Stage.SELF:
                if line.id == "5":
                    value = Decimal(2 + (index % 4))
                elif stage == Stage.COUNTY and (index + li) % 7 == 0 and not line.binary and value > 0:
                    value = step_down(value, step, Decimal(0))  # the county is stricter on a few lines
                if value < line.max or (sug.score is not None and value != sug.score):
                    reason = REASONS[line.section]
            elif (index + li) % 5 == 0 and not line.binary and value < line.max:
                value = min(line.max, value + step)  # communities are a little generous with themselves
            score_service.save_score(ev, user, line.id, stage, value, reason)
            ev.refresh_from_db()

    def act(self, ev, user, action: str, **kw):
        try:
            return transition(ev, user, action, **kw)
        except WorkflowError as exc:
            raise CommandError(f"{ev}：{exc.message} {'；'.join(exc.problems[:5])}") from None

    def walk(self, ev, index: int, target, year_bonus: int = 0) -> None:
        op, county, city = self.operator(ev), self.county_reviewer(ev), self.org["city_reviewer"]
        self.answer_facts(ev, index, target)
        if target == State.DRAFT:
            # Half-filled: the community is still at work.
            std = ev.period.standard.standard
            for line in std.stage_lines(Stage.SELF)[:10]:
                score_service.save_score(ev, op, line.id, Stage.SELF, line.max, "")
                ev.refresh_from_db()
            score_service.save_innovation_text(ev, op, "开设“家门口就业服务站”，每周三下午集中开展职业指导。")
            return
        self.fill(ev, Stage.SELF, index, op)
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
                score_service.save_score(ev, county, line.id, Stage.COUNTY, value, reason)
                ev.refresh_from_db()
            return
        self.fill(ev, Stage.COUNTY, index, county)
        ev = self.act(ev, county, "county_pass")
        if final == State.COUNTY_PASSED:
            return
        ev = self.act(ev, city, "city_start")
        if final == State.CITY_REVIEWING:
            return
        self.fill(ev, Stage.CITY, index, city)
        ev = self.act(ev, city, "city_complete")
        if final == State.CITY_REVIEWED:
            return
        self.act(ev, self.admin, "publish")
