"""Realistic synthetic ledgers: the demo seeder (`create_demo_ledgers`) and the big-city bench share it.

Deterministic for a seed. Everything is written with bulk_create, community batch by batch.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from stdnum.cn import ric

from .dates import add_months
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
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玲鹏飞红梅志刚海燕"
STREETS = ["和平路", "解放路", "人民路", "建设路", "新华路", "光明街", "幸福里", "长安街", "中山路", "朝阳路"]
VISITORS = ["王协理员", "李协理员", "张专干", "陈社工"]
RECORDS = [
    "了解家庭就业需求，宣传就业援助政策，推荐社区保洁岗位。",
    "电话回访，本人有意参加电工培训，已登记培训意向。",
    "上门核实家庭情况，户主已在物业公司上岗，建议退出认定。",
    "走访了解求职意向，推荐两家企业招聘信息。",
]
EMPLOYERS = ["家政服务有限公司", "物业管理有限公司", "餐饮管理有限公司", "商贸有限公司", "物流有限公司", "保安服务有限公司"]
_BIRTH_SPAN = 14_000  # days from 1965-01-01: 16–60 year-olds in the 2020s


def make_id_number(index: int, region: str = "350102") -> tuple[str, date]:
    """A valid, unique resident ID for the index-th synthetic person (7919 is prime to the span)."""
    birth = date(1965, 1, 1) + timedelta(days=(index * 7919) % _BIRTH_SPAN)
    seq = (index // _BIRTH_SPAN) % 1000
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


def generate_ledgers(communities, year: int, persons_per_community: int, seed: int = 1, start_index: int = 0) -> int:
    """Write ledgers for the communities; returns the next free person index (for unique IDs)."""
    rng = random.Random(seed)
    p_start, p_end = date(year, 1, 1), date(year, 12, 31)
    index = start_index
    for community in communities:
        with transaction.atomic():
            index = _one_community(community, rng, year, p_start, p_end, persons_per_community, index)
    return index


def _one_community(community, rng, year, p_start, p_end, n_persons, index) -> int:
    households: list[Household] = []
    sizes: list[int] = []
    remaining = n_persons
    while remaining > 0:
        size = min(remaining, rng.choice((1, 2, 2, 3, 3, 4)))
        households.append(Household(
            community=community, code=f"{community.code}-{len(households) + 1:04d}", head_name="",
            address=f"{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋", helper=rng.choice(VISITORS),
        ))
        sizes.append(size)
        remaining -= size
    persons: list[Person] = []
    for hh, size in zip(households, sizes, strict=True):
        for member in range(size):
            number, birth = make_id_number(index)
            index += 1
            name = _name(rng)
            if member == 0:
                hh.head_name = name
            persons.append(Person(
                community=community, name=name, id_number=number, birth_date=birth,
                sex="M" if int(number[16]) % 2 else "F", relation="户主" if member == 0 else rng.choice(("配偶", "子女", "父母")),
                phone=f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}", address=hh.address,
                education=rng.choice(("初中", "高中", "中专", "大专", "本科")),
                labour_capacity=rng.random() > 0.05, wish_to_work=rng.random() > 0.08,
                is_graduate=rng.random() < 0.06, is_veteran=rng.random() < 0.03,
                is_rural_migrant=rng.random() < 0.12, is_disabled=rng.random() < 0.03,
                is_released_prisoner=rng.random() < 0.005, is_drug_rehab=rng.random() < 0.003,
            ))
    Household.objects.bulk_create(households)
    for hh, person in zip(_expand(households, sizes), persons, strict=True):
        person.household = hh
    Person.objects.bulk_create(persons)

    regs, hards, jobs, services, zeros, visits = [], [], [], [], [], []
    employers = [
        Employer(community=community, name=f"{community.name}{rng.choice(STREETS)}{kind}", credit_code=_credit_code(rng),
                 industry=kind[:2], contact=_name(rng))
        for kind in rng.sample(EMPLOYERS, 3)
    ]
    Employer.objects.bulk_create(employers)
    hard_households: set[int] = set()
    for person in persons:
        r = rng.random()
        if r < 0.30:  # registered unemployed at some time around the period
            reg_on = _day(rng, date(year - 1, 1, 1), date(year, 11, 30))
            employed = rng.random() < 0.88
            job_on = _day(rng, reg_on, min(p_end, reg_on + timedelta(days=200))) if employed else None
            regs.append(UnemploymentRegistration(
                person=person, registered_on=reg_on, ended_on=job_on, end_reason=EndReason.EMPLOYED if job_on else "",
            ))
            hard = rng.random() < 0.25
            if hard:
                cat = rng.choice([c for c, _ in HardshipCategory.choices if c != "other"])
                hards.append(HardshipRecognition(person=person, category=cat, recognized_on=reg_on + timedelta(days=10),
                                                 exited_on=job_on))
                hard_households.add(person.household_id)
            if job_on:
                channel = Channel.WELFARE_POST if hard and rng.random() < 0.3 else rng.choice(
                    (Channel.UNIT, Channel.UNIT, Channel.FLEXIBLE, Channel.SELF))
                employer = rng.choice(employers) if channel == Channel.UNIT else None
                jobs.append(Employment(person=person, channel=channel, employer=employer,
                                       employer_name=employer.name if employer else "社区公益岗位",
                                       post=rng.choice(("保洁员", "保安", "营业员", "配送员", "护理员")), started_on=job_on))
            for _ in range(rng.randint(1, 3)):
                services.append(ServiceRecord(
                    person=person, kind=rng.choice(ServiceKind.values), served_on=_day(rng, p_start, p_end),
                    staff=rng.choice(VISITORS),
                ))
        elif r < 0.75:  # in work
            jobs.append(Employment(person=person, channel=Channel.UNIT, started_on=_day(rng, date(2010, 1, 1), p_end),
                                   employer_name="辖区企业"))
    # A few zero-employment households, most cleared within the month.
    for hh in rng.sample(households, max(1, len(households) // 60)):
        rec = _day(rng, p_start, date(year, 12, 20))
        zeros.append(ZeroEmploymentHousehold(household=hh, recognized_on=rec, clear_deadline=add_months(rec, 1)))
        hard_households.add(hh.pk)
        members = [p for p in persons if p.household_id == hh.pk]
        if members and rng.random() < 0.9:
            jobs.append(Employment(person=members[0], channel=Channel.WELFARE_POST, employer_name="社区公益岗位",
                                   started_on=min(p_end, rec + timedelta(days=rng.randint(3, 25)))))
    for hh_id in hard_households:
        if rng.random() < 0.9:
            visits.append(Visit(household_id=hh_id, visited_on=_day(rng, p_start, p_end), visitor=rng.choice(VISITORS),
                                way=rng.choice(VisitWay.values), record=rng.choice(RECORDS) if rng.random() < 0.95 else ""))
    UnemploymentRegistration.objects.bulk_create(regs, batch_size=2000)
    HardshipRecognition.objects.bulk_create(hards, batch_size=2000)
    Employment.objects.bulk_create(jobs, batch_size=2000)
    ServiceRecord.objects.bulk_create(services, batch_size=2000)
    ZeroEmploymentHousehold.objects.bulk_create(zeros)
    Visit.objects.bulk_create(visits, batch_size=2000)
    if rng.random() < 0.2:
        Complaint.objects.create(community=community, kind=ComplaintKind.COMPLAINT, received_on=_day(rng, p_start, p_end),
                                 summary="居民反映求职登记办理等候时间较长", handling="已解释并优化办理流程")
    return index


def _expand(households, sizes):
    for hh, size in zip(households, sizes, strict=True):
        yield from [hh] * size


def create_demo_ledgers(period, persons_per_community: int = 80, seed: int = 2024) -> int:
    """Ledgers for every community of the period that has none yet; returns how many were filled."""
    from orgs.models import Unit

    ids = period.evaluations.values_list("community_id", flat=True)
    empty = Unit.objects.filter(pk__in=ids).exclude(pk__in=Person.objects.values("community_id")).order_by("code")
    communities = list(empty)
    start = Person.objects.count() + 1
    generate_ledgers(communities, period.year, persons_per_community, seed=seed, start_index=start)
    return len(communities)
