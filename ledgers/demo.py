"""Realistic synthetic ledgers: the demo seeder (`create_demo_ledgers`) and the big-city bench share it.

Deterministic for a seed. Everything is written with bulk_create, community batch by batch.

Each community gets a quality profile (`PROFILES`: excellent, good, fair, weak) that fixes how many of
its job seekers are still unemployed at a year's end, how many hard-to-employ persons it places in
public-welfare posts, how many graduates it places, whether it visits every household it must, and
so on. The ledgers span several consecutive years: every year has its own cohort of registrations,
and whoever is still unemployed at the end of one year finds work early in the next, so each year's
facts (computed by ledgers.facts with the STANDARD.md population and date rules) are plausible.
Cohort sizes are chosen so that, with about 100+ persons per community and two years, each profile's
rates fall in the same bracket of the standard every year (see `_cohort_sizes`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from stdnum.cn import ric

from .dates import add_months
from .live_facts import ledgers_changed
from .models import (
    Channel,
    Complaint,
    ComplaintKind,
    Employer,
    Employment,
    EndReason,
    HardshipCategory,
    HardshipRecognition,
    Household,
    Person,
    ServiceKind,
    ServiceRecord,
    UnemploymentRegistration,
    Visit,
    VisitWay,
    ZeroEmploymentHousehold,
    ZeroExitReason,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玲鹏飞红梅志刚海燕"
STREETS = ["和平路", "解放路", "人民路", "建设路", "新华路", "光明街", "幸福里", "长安街", "中山路", "朝阳路"]
VISITORS = ["王协理员", "李协理员", "张专干", "陈社工"]
RECORDS = [
    "了解家庭就业需求，宣传就业援助政策，推荐社区保洁岗位。",
    "电话回访，本人有意参加电工培训，已登记培训意向。",
    "上门核实家庭情况，户主已在物业公司上岗，跟踪稳岗情况。",
    "走访了解求职意向，推荐两家企业招聘信息。",
    "送达公益性岗位申请表，讲解岗位补贴和社保补贴政策。",
    "回访已上岗人员，工作稳定，家庭收入有所改善。",
    "了解家庭困难情况，协助申请灵活就业社保补贴。",
    "节前走访慰问，登记子女就业需求，推荐线上招聘会。",
]
EMPLOYERS = ["家政服务有限公司", "物业管理有限公司", "餐饮管理有限公司", "商贸有限公司", "物流有限公司", "保安服务有限公司"]
POSTS = ("保洁员", "保安", "营业员", "配送员", "护理员", "收银员", "仓管员", "厨师助理")
WELFARE_POSTS = ("社区保洁", "治安巡逻", "公共设施维护", "社区协管", "绿化养护")
# Days from 1980-01-01 (to 2004-08): every synthetic person is of working age in 2025–2026, also
# women of the former 50 group (ledgers.retirement), so the demo's rates do not depend on ages.
_BIRTH_SPAN = 9_000
_HARD_CATEGORIES = (
    [HardshipCategory.AGE_4050] * 5 + [HardshipCategory.DIBAO] * 3 + [HardshipCategory.DISABLED] * 2
    + [HardshipCategory.SINGLE_PARENT, HardshipCategory.LAND_LOST, HardshipCategory.VETERAN, HardshipCategory.RELEASED]
)
_CATEGORY_FLAG = {
    HardshipCategory.DISABLED: "is_disabled",
    HardshipCategory.VETERAN: "is_veteran",
    HardshipCategory.RELEASED: "is_released_prisoner",
}


@dataclass(frozen=True)
class Profile:
    """How well a community serves its job seekers in a year; ranges are (low, high) inclusive."""

    name: str
    hard_missed: int  # hard-to-employ persons registered in the second half-year, not yet employed at its end
    other_missed: tuple[int, int]  # other registered unemployed, idem
    long_term: int  # registered before June, still unemployed at the year's end (3.5.4)
    welfare_posts: tuple[int, int]  # hard-to-employ placed in public-welfare posts (3.6)
    graduates_placed: tuple[int, int]  # of 3–5 graduates served (3.4)
    referrals: tuple[int, int]  # unemployed referred to entrepreneurship training (3.3.4)
    zero_households: tuple[int, int]  # recognised in the year, all cleared within the month (3.5.1)
    unvisited: int  # households to visit with no visit in the year (3.2.2)
    unrecorded: int  # households visited without a written record (3.2.2)
    complaint: float  # chance of a minor complaint in the year (line 4 is the reviewers' call)


PROFILES: dict[str, Profile] = {
    "excellent": Profile("excellent", 0, (0, 1), 0, (5, 6), (2, 3), (3, 4), (1, 2), 0, 0, 0.0),
    "good": Profile("good", 0, (2, 2), 0, (5, 6), (1, 2), (2, 3), (1, 1), 0, 0, 0.1),
    "fair": Profile("fair", 1, (1, 1), 0, (3, 4), (1, 2), (2, 2), (1, 1), 1, 0, 0.3),
    "weak": Profile("weak", 2, (1, 1), 1, (2, 2), (1, 1), (1, 1), (1, 1), 1, 1, 1.0),
}
# The demo city's communities by position (code order): three of each, the weak ones spread out.
DEMO_TIERS = ("excellent", "good", "fair", "weak", "excellent", "good", "fair", "excellent", "good", "weak",
              "weak", "fair")


def demo_tier(position: int) -> str:
    return DEMO_TIERS[position % len(DEMO_TIERS)]


def make_id_number(index: int, region: str = "350102") -> tuple[str, date]:
    """A valid, unique resident ID for the index-th synthetic person (7919 is prime to the span)."""
    birth = date(1980, 1, 1) + timedelta(days=(index * 7919) % _BIRTH_SPAN)
    # Even and odd sequence numbers alternate so the synthetic people are women and men (odd = male).
    seq = ((index // _BIRTH_SPAN) * 2 + index % 2) % 1000
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0"), birth


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _credit_code(rng: random.Random) -> str:
    from stdnum.cn import uscc

    body = "9135" + "".join(rng.choice("0123456789") for _ in range(4)) + "MA" + "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(7)
    )
    return body + uscc.calc_check_digit(body)


def generate_ledgers(
    communities,
    year: int,
    persons_per_community: int,
    seed: int = 1,
    start_index: int = 0,
    *,
    years: tuple[int, ...] | None = None,
    tiers: dict[int, str] | None = None,
) -> int:
    """Write ledgers for the communities; returns the next free person index (for unique IDs).

    `years` (default: just `year`) are the consecutive years with activity; `tiers` maps a community
    id to a profile name (default: drawn from the seed, mostly good communities).
    """
    rng = random.Random(seed)
    years = tuple(sorted(years or (year,)))
    index = start_index
    for community in communities:
        tier = (tiers or {}).get(community.pk) or rng.choices(list(PROFILES), weights=(3, 3, 2.5, 1.5))[0]
        with transaction.atomic():
            index = _Community(community, rng, years, PROFILES[tier]).write(persons_per_community, index)
    return index


def _cohort_sizes(n_persons: int, rng: random.Random) -> tuple[int, int, int]:
    """Hard-to-employ, other registered unemployed and graduates per year.

    For 120 persons: 12–14 hard-to-employ and 16–18 others a year (about a quarter of the ledger), so a fair
    community's one miss among the hard-to-employ stays within 91–94%, a weak one's two within 80–90%,
    and the registered rate lands ≥95% / 91–94% / 85–90% for 1 / 2 / 4 misses (plus carry-overs).
    """
    share = n_persons / 120
    hard = max(4, round(13 * share) + rng.randint(-1, 1))
    others = max(4, round(17 * share) + rng.randint(-1, 1))
    graduates = max(2, min(5, round(4 * share) + rng.randint(-1, 1)))
    return hard, others, graduates


class _Community:
    """One community's ledgers over the years, planned in memory and written with bulk_create."""

    def __init__(self, community, rng: random.Random, years: tuple[int, ...], profile: Profile) -> None:
        self.community, self.rng, self.years, self.profile = community, rng, years, profile
        self.regs: list[UnemploymentRegistration] = []
        self.hards: list[HardshipRecognition] = []
        self.jobs: list[Employment] = []
        self.services: list[ServiceRecord] = []
        self.zeros: list[ZeroEmploymentHousehold] = []
        self.visits: list[Visit] = []
        # Households whose hard-to-employ member (or zero-employment status) is active in a year, with
        # the first date a visit makes sense: {year: {household id: earliest visit date}}.
        self.to_visit: dict[int, dict[int, date]] = {y: {} for y in years}
        # Persons still unemployed at a year's end: (person, registration, hardship or None).
        self.carry: list[tuple[Person, UnemploymentRegistration, HardshipRecognition | None]] = []
        self.category: dict[int, str] = {}  # hard-to-employ category by id(person), chosen when planning
        self.complaints: list[Complaint] = []

    # -- persons and households ----------------------------------------------------------------

    def write(self, n_persons: int, index: int) -> int:
        rng, community = self.rng, self.community
        households: list[Household] = []
        members: dict[int, list[Person]] = {}
        persons: list[Person] = []
        remaining = n_persons
        while remaining > 0:
            size = min(remaining, rng.choice((1, 2, 2, 3, 3, 4)))
            address = f"{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋"
            hh = Household(community=community, code=f"{community.code}-{len(households) + 1:04d}", head_name="",
                           address=address, helper=rng.choice(VISITORS))
            households.append(hh)
            for member in range(size):
                number, birth = make_id_number(index)
                index += 1
                name = _name(rng)
                if member == 0:
                    hh.head_name = name
                person = Person(
                    community=community, household=hh, name=name, id_number=number, birth_date=birth,
                    sex="M" if int(number[16]) % 2 else "F",
                    relation="户主" if member == 0 else rng.choice(("配偶", "子女", "父母")),
                    phone=f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}", address=address,
                    education=rng.choice(("初中", "高中", "中专", "大专", "本科")),
                    labour_capacity=rng.random() > 0.05, wish_to_work=rng.random() > 0.08,
                    is_graduate=rng.random() < 0.04, is_veteran=rng.random() < 0.03,
                    is_rural_migrant=rng.random() < 0.12, is_disabled=rng.random() < 0.02,
                )
                persons.append(person)
                members.setdefault(id(hh), []).append(person)
            remaining -= size

        # Roles, planned before anything is written (a person's flags depend on the role).
        free = persons[:]
        rng.shuffle(free)
        taken: set[int] = set()
        plans = []
        for _year in self.years:
            hard_n, others_n, grads_n = _cohort_sizes(n_persons, rng)
            zero_n = rng.randint(*self.profile.zero_households)
            zero_heads: list[Person] = []
            for hh in rng.sample(households, len(households)):
                if len(zero_heads) == zero_n:
                    break
                group = members[id(hh)]
                if len(group) <= 3 and not any(id(p) in taken for p in group):
                    zero_heads.append(group[0])
                    taken.update(id(p) for p in group)  # nobody else in the household works
            pool = [p for p in free if id(p) not in taken]
            cut = hard_n - len(zero_heads)
            hard = zero_heads + pool[:cut]
            others = pool[cut: cut + others_n]
            grads = pool[cut + others_n: cut + others_n + grads_n]
            taken.update(id(p) for p in hard + others + grads)
            for p in hard + others + grads:
                p.labour_capacity = p.wish_to_work = True  # registered job seekers, by definition
                p.is_graduate = p in grads
            for p in grads:
                p.education = rng.choice(("大专", "本科", "本科"))
            for p in hard:
                category = HardshipCategory.ZERO_EMPLOYMENT if p in zero_heads else rng.choice(_HARD_CATEGORIES)
                self.category[id(p)] = category
                if category in _CATEGORY_FLAG:
                    setattr(p, _CATEGORY_FLAG[category], True)
            plans.append((hard, others, grads, zero_heads))
        Household.objects.bulk_create(households, batch_size=2000)
        Person.objects.bulk_create(persons, batch_size=2000)  # picks up the households' new ids

        self.employers = [
            Employer(community=community, name=f"{community.name}{rng.choice(STREETS)}{kind}",
                     credit_code=_credit_code(rng), industry=kind[:2], contact=_name(rng))
            for kind in rng.sample(EMPLOYERS, 3)
        ]
        Employer.objects.bulk_create(self.employers)
        # Everyone else: about half in stable work since before the years shown, the rest not job seekers.
        first = date(self.years[0] - 1, 12, 31)
        for p in persons:
            if id(p) not in taken and rng.random() < 0.55:
                employer = rng.choice(self.employers) if rng.random() < 0.3 else None
                self.jobs.append(Employment(
                    person=p, channel=Channel.UNIT, employer=employer,
                    employer_name=employer.name if employer else "辖区企业", post=rng.choice(POSTS),
                    started_on=_day(rng, date(2008, 1, 1), first),
                ))
        for year, (hard, others, grads, zero_heads) in zip(self.years, plans, strict=True):
            self._year(year, hard, others, grads, zero_heads, households)
        UnemploymentRegistration.objects.bulk_create(self.regs, batch_size=2000)
        HardshipRecognition.objects.bulk_create(self.hards, batch_size=2000)
        Employment.objects.bulk_create(self.jobs, batch_size=2000)
        ServiceRecord.objects.bulk_create(self.services, batch_size=2000)
        ZeroEmploymentHousehold.objects.bulk_create(self.zeros)
        Visit.objects.bulk_create(self.visits, batch_size=2000)
        Complaint.objects.bulk_create(self.complaints)
        return index

    # -- one year's cohort ---------------------------------------------------------------------

    def _year(self, year: int, hard, others, grads, zero_heads, households) -> None:
        rng, prof = self.rng, self.profile
        cap = date(year, 11, 25)  # the ledgers are kept up to late November
        self._resolve_carry(year)

        # Who is still unemployed at the year's end: the last ones of each list (never a zero-household head).
        hard_missed = hard[len(hard) - prof.hard_missed:] if prof.hard_missed else []
        other_missed = rng.randint(*prof.other_missed)
        long_term = others[len(others) - prof.long_term:] if prof.long_term else []
        recent = others[len(others) - prof.long_term - other_missed: len(others) - prof.long_term]
        hard_employed = [p for p in hard if p not in hard_missed]
        others_employed = [p for p in others if p not in recent and p not in long_term]
        welfare = set(map(id, zero_heads))  # 公益性岗位托底安置 within the month
        posts = rng.randint(*prof.welfare_posts)
        for p in hard_employed:
            if len(welfare) >= posts:
                break
            welfare.add(id(p))
        referred = others_employed[: rng.randint(*prof.referrals)]
        self_employed = set(map(id, referred[: max(1, len(referred) // 2)]))
        flexible = {id(p) for p in others_employed[len(referred):] + hard_employed if rng.random() < 0.25}
        if not flexible & {id(p) for p in others_employed}:
            flexible.add(id(others_employed[-1]))
        trained = rng.sample(hard_employed + others_employed, min(3, len(hard_employed + others_employed)))

        for p in hard + others:
            zero = p in zero_heads
            if p in hard_missed or p in recent:
                reg_on = _day(rng, date(year, 7, 10), date(year, 11, 1))
            elif p in long_term:
                reg_on = _day(rng, date(year, 1, 4), date(year, 5, 20))
            elif zero:
                reg_on = _day(rng, date(year, 1, 10), date(year, 10, 15))
            else:
                reg_on = _day(rng, date(year, 1, 4), date(year, 9, 15))
            reg = UnemploymentRegistration(person=p, registered_on=reg_on)
            self.regs.append(reg)
            self._service(p, ServiceKind.JOB_SEEKER, reg_on, "办理失业登记和求职登记")
            self._service(p, ServiceKind.EMPLOYMENT_CARD, min(cap, reg_on + timedelta(days=rng.randint(0, 5))),
                          "办理《就业创业证》")
            hardship = None
            since = reg_on
            if p in hard:
                since = reg_on + timedelta(days=rng.randint(2, 10) if zero else rng.randint(3, 20))
                hardship = HardshipRecognition(person=p, category=self.category[id(p)], recognized_on=since)
                self.hards.append(hardship)
                self.to_visit[year].setdefault(p.household_id, since)
            if zero:
                self.zeros.append(ZeroEmploymentHousehold(
                    household_id=p.household_id, recognized_on=since, clear_deadline=add_months(since, 1),
                ))
            if p in hard_missed or p in recent or p in long_term:
                self.carry.append((p, reg, hardship))
                if rng.random() < 0.7:
                    self._service(p, ServiceKind.GUIDANCE, _day(rng, since, cap), "职业指导，制定求职计划")
                continue
            # Employed within the year: after the registration (and the recognition, for the hard-to-employ).
            if zero:
                job_on = since + timedelta(days=rng.randint(5, 25))
            elif id(p) in self_employed:
                job_on = min(cap - timedelta(days=25), since + timedelta(days=rng.randint(40, 100)))
            else:
                job_on = min(cap, since + timedelta(days=rng.randint(15, 110)))
            if id(p) in welfare:
                channel = Channel.WELFARE_POST
            elif id(p) in self_employed:
                channel = Channel.SELF
            elif id(p) in flexible:
                channel = Channel.FLEXIBLE
            else:
                channel = Channel.UNIT
            self._employ(p, reg, hardship, channel, job_on, cap)
            if zero:
                self.zeros[-1].exited_on = job_on
                self.zeros[-1].exit_reason = ZeroExitReason.EMPLOYED
            if p in referred:
                self._service(p, ServiceKind.ENTREPRENEURSHIP_TRAINING,
                              _day(rng, reg_on + timedelta(days=3), job_on - timedelta(days=10)), "推荐参加SYB创业培训")
            if id(p) in self_employed:
                self._service(p, ServiceKind.GUARANTEED_LOAN, job_on - timedelta(days=rng.randint(0, 7)),
                              "协助申请创业担保贷款")
                self._service(p, ServiceKind.ENTREPRENEURSHIP_GUIDANCE,
                              _day(rng, job_on + timedelta(days=7), cap), "创业指导和开业后跟踪服务")
            if p in trained:
                self._service(p, ServiceKind.VOCATIONAL_TRAINING,
                              _day(rng, reg_on, job_on - timedelta(days=1)), "推荐参加职业技能培训")

        placed = rng.randint(*prof.graduates_placed)
        for i, p in enumerate(grads):
            self._graduate(p, year, cap, placed=i < placed)
        self._visit(year, households, cap)
        if rng.random() < prof.complaint:
            self.complaints.append(Complaint(
                community=self.community, kind=ComplaintKind.COMPLAINT, received_on=_day(rng, date(year, 2, 1), cap),
                summary=rng.choice(("居民反映求职登记办理等候时间较长", "居民反映公益性岗位信息公示不及时")),
                handling="已向当事人解释说明，并优化办理流程",
            ))

    def _resolve_carry(self, year: int) -> None:
        """Last year's unemployed find work early this year (so they do not turn long-term)."""
        rng = self.rng
        for p, reg, hardship in self.carry:
            job_on = _day(rng, date(year, 1, 8), date(year, 4, 20))
            if hardship is not None:
                self.to_visit[year].setdefault(p.household_id, date(year, 1, 5))
            self._employ(p, reg, hardship, rng.choice((Channel.UNIT, Channel.UNIT, Channel.FLEXIBLE)), job_on,
                         date(year, 11, 25))
        self.carry = []

    def _employ(self, p, reg, hardship, channel: str, job_on: date, cap: date) -> None:
        rng = self.rng
        employer = rng.choice(self.employers) if channel == Channel.UNIT and rng.random() < 0.6 else None
        if channel == Channel.UNIT:
            self._service(p, ServiceKind.REFERRAL, max(reg.registered_on, job_on - timedelta(days=rng.randint(3, 15))),
                          "推荐辖区企业岗位")
        name = {
            Channel.WELFARE_POST: "社区公益性岗位", Channel.SELF: "个体经营", Channel.FLEXIBLE: "灵活就业",
        }.get(channel, employer.name if employer else "辖区企业")
        post = rng.choice(WELFARE_POSTS) if channel == Channel.WELFARE_POST else rng.choice(POSTS)
        self.jobs.append(Employment(person=p, channel=channel, employer=employer, employer_name=name, post=post,
                                    started_on=job_on))
        reg.ended_on, reg.end_reason = job_on, EndReason.EMPLOYED
        if hardship is not None:
            hardship.exited_on = job_on
        if channel == Channel.FLEXIBLE:
            self._service(p, ServiceKind.FLEXIBLE_RECOGNITION, min(cap, job_on + timedelta(days=rng.randint(0, 20))),
                          "办理灵活就业认定")
            self._service(p, ServiceKind.SOCIAL_INSURANCE_SUBSIDY,
                          min(cap, job_on + timedelta(days=rng.randint(10, 40))), "协助申请灵活就业社保补贴")

    def _graduate(self, p, year: int, cap: date, placed: bool) -> None:
        rng = self.rng
        seen = _day(rng, date(year, 2, 1), date(year, 9, 30))
        self._service(p, ServiceKind.JOB_SEEKER, seen, "离校未就业高校毕业生求职登记")
        self._service(p, ServiceKind.GUIDANCE, seen + timedelta(days=rng.randint(1, 10)), "一对一职业指导")
        if placed:
            referral = seen + timedelta(days=rng.randint(12, 30))
            self._service(p, ServiceKind.REFERRAL, referral, "推荐见习和就业岗位")
            employer = rng.choice(self.employers)
            self.jobs.append(Employment(person=p, channel=Channel.UNIT, employer=employer, employer_name=employer.name,
                                        post=rng.choice(("文员", "技术员", "销售代表", "助理")),
                                        started_on=min(cap, referral + timedelta(days=rng.randint(3, 30)))))

    def _visit(self, year: int, households, cap: date) -> None:
        rng, prof = self.rng, self.profile
        targets = sorted(self.to_visit[year].items())
        rng.shuffle(targets)
        skipped = {hh for hh, _ in targets[: prof.unvisited]}
        unrecorded = {hh for hh, _ in targets[prof.unvisited: prof.unvisited + prof.unrecorded]}
        for hh, earliest in targets:
            if hh in skipped:
                continue
            record = "" if hh in unrecorded else rng.choice(RECORDS)
            for _ in range(1 if record == "" else rng.choice((1, 1, 2))):
                self.visits.append(Visit(
                    household_id=hh, visited_on=_day(rng, min(earliest, cap), cap), visitor=rng.choice(VISITORS),
                    way=rng.choice((VisitWay.HOME, VisitWay.HOME, VisitWay.PHONE)), record=record,
                ))
                record = rng.choice(RECORDS) if record else ""
        for hh in rng.sample(households, min(3, len(households))):  # routine visits to other families
            if hh.pk not in self.to_visit[year]:
                self.visits.append(Visit(household_id=hh.pk, visited_on=_day(rng, date(year, 3, 1), cap),
                                         visitor=rng.choice(VISITORS), way=VisitWay.HOME,
                                         record="入户宣传就业创业政策，登记家庭成员就业意向。"))

    def _service(self, p, kind: str, on: date, note: str) -> None:
        self.services.append(ServiceRecord(person=p, kind=kind, served_on=on, staff=self.rng.choice(VISITORS),
                                           note=note))


@contextmanager
def frozen_ledger_facts() -> Iterator[None]:
    """While the demo is seeded the ledgers do not change: compute each community's live facts once.

    Every edit of a draft sheet re-computes its ledger facts (about 20 queries); seeding makes hundreds
    of such edits. Within this block `ledgers.snapshots` reads a memo instead (copies, so snapshots and
    callers never share mutable values). Never use it around code that writes ledgers.
    """
    from . import snapshots

    original = snapshots.compute_community
    memo: dict[tuple[int, int], tuple[dict, dict]] = {}

    def compute(year: int, community_id: int) -> tuple[dict, dict]:
        if (year, community_id) not in memo:
            memo[year, community_id] = original(year, community_id)
        values, records = memo[year, community_id]
        return dict(values), {name: list(ids) for name, ids in records.items()}

    snapshots.compute_community = compute
    try:
        yield
    finally:
        snapshots.compute_community = original


def create_demo_ledgers(
    period, persons_per_community: int = 120, seed: int = 2024, tiers: dict[int, str] | None = None
) -> int:
    """Ledgers for every community of the period that has none yet; returns how many were filled.

    The ledgers cover the period's year and the one before (so the previous year's evaluation has
    facts too). `tiers` maps community ids to profile names; by default communities take
    `DEMO_TIERS` by their position in code order.
    """
    from orgs.models import Unit

    ids = period.evaluations.values_list("community_id", flat=True)
    ordered = list(Unit.objects.filter(pk__in=ids).order_by("code"))
    if tiers is None:
        tiers = {unit.pk: demo_tier(position) for position, unit in enumerate(ordered)}
    filled = set(Person.objects.filter(community__in=ordered).values_list("community_id", flat=True).distinct())
    communities = [unit for unit in ordered if unit.pk not in filled]
    start = Person.objects.count() + 1
    generate_ledgers(communities, period.year, persons_per_community, seed=seed, start_index=start,
                     years=(period.year - 1, period.year), tiers=tiers)
    # Written in bulk (no signals): facts stored for these communities before are outdated.
    ledgers_changed(unit.pk for unit in communities)
    return len(communities)
