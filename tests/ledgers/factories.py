"""Small ledgers built by hand for the tests."""

from __future__ import annotations

import itertools
from datetime import date

from stdnum.cn import ric

from ledgers.models import (
    Employment,
    HardshipRecognition,
    Household,
    Person,
    ServiceRecord,
    UnemploymentRegistration,
    Visit,
    ZeroEmploymentHousehold,
)

_seq = itertools.count(1)


def make_id(birth: str = "19800101", female: bool = False, region: str = "350102") -> str:
    n = next(_seq)
    seq = (n * 2) % 1000 if female else (n * 2 + 1) % 1000
    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def household(community, code=None, **kw) -> Household:
    return Household.objects.create(community=community, code=code or f"H{next(_seq)}", head_name="户主", **kw)


def person(community, hh=None, **kw) -> Person:
    hh = hh or household(community)
    number = kw.pop("id_number", None) or make_id()
    kw.setdefault("name", "张三")
    return Person.objects.create(
        community=community,
        household=hh,
        id_number=number,
        birth_date=ric.get_birth_date(number),
        sex="M" if int(number[16]) % 2 else "F",
        **kw,
    )


def unemployed(p, on: date, ended: date | None = None, reason: str = "") -> UnemploymentRegistration:
    return UnemploymentRegistration.objects.create(person=p, registered_on=on, ended_on=ended, end_reason=reason)


def hardship(p, on: date, exited: date | None = None, category: str = "4050") -> HardshipRecognition:
    return HardshipRecognition.objects.create(person=p, category=category, recognized_on=on, exited_on=exited)


def employed(p, on: date, channel: str = "unit") -> Employment:
    return Employment.objects.create(person=p, channel=channel, started_on=on)


def zero(hh, on: date, exited: date | None = None) -> ZeroEmploymentHousehold:
    return ZeroEmploymentHousehold.objects.create(household=hh, recognized_on=on, exited_on=exited)


def service(p, kind: str, on: date) -> ServiceRecord:
    return ServiceRecord.objects.create(person=p, kind=kind, served_on=on)


def visit(hh, on: date, record: str = "了解就业需求，推荐岗位") -> Visit:
    return Visit.objects.create(household=hh, visited_on=on, visitor="王协理员", record=record)
