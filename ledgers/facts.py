"""Facts of the standard computed from the ledgers, as set-based queries.

Every fact is a queryset of the records behind it (persons, households or service records) built
for one period and one scope; `compute_all` groups it by community (one aggregate query per fact)
and `compute_community` lists the record ids of one community for drill-down. The scope (one
community, a list of them, or the whole city) is applied inside EVERY sub-select, so one
community's facts read that community's rows only and cost the same whatever the city's size.
Definitions: docs/LEDGERS.md and STANDARD.md "Populations".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from .dates import add_months, period_bounds
from .models import (
    Channel,
    Employment,
    HardshipRecognition,
    Household,
    Person,
    ServiceKind,
    ServiceRecord,
    UnemploymentRegistration,
    Visit,
    ZeroEmploymentHousehold,
)
from .retirement import working_age_q


@dataclass(frozen=True)
class Scope:
    """Which communities a fact query reads: one, several, or (None) all of them."""

    ids: tuple[int, ...] | None = None

    def _units(self, path: str) -> Q:
        if len(self.ids or ()) == 1:
            return Q(**{f"{path}_id": self.ids[0]})  # type: ignore[index]
        return Q(**{f"{path}_id__in": self.ids})

    def q(self, path: str) -> Q:
        """The filter restricting a queryset whose community is reached by `path`.

        Through a person or household the filter is `person_id IN (that community's persons)`, so
        the database starts from the community's few persons and their (person, …) indexes, rather
        than from a city-wide (kind, date) index filtered row by row.
        """
        if self.ids is None:
            return Q()
        if path == "person__community":
            return Q(person_id__in=Person.objects.filter(self._units("community")).values("pk"))
        if path == "household__community":
            return Q(household_id__in=Household.objects.filter(self._units("community")).values("pk"))
        return self._units(path)


ALL = Scope()


@dataclass(frozen=True)
class FactDef:
    name: str
    model: str  # "person" | "household" | "service": what the drill-down lists
    path: str  # ORM path from the model to its community
    build: Callable[[date, date, Scope], QuerySet]
    # "count": number of distinct records; "any": at least one record; "kinds": every kind present.
    mode: str = "count"
    kinds: tuple[str, ...] = ()
    label: str = ""


# How each fact is counted, in the words shown next to it on the sheet and the facts page
# (docs/LEDGERS.md states the same definitions for engineers).
WORKING_AGE = "评估期末处于劳动年龄（年满16周岁、未达法定退休年龄；退休年龄按出生日期、性别和女性原退休年龄组，依2025年起渐进式延迟规则推算），超过法定退休年龄的不计入"
DEFINITIONS: dict[str, str] = {
    "households_to_visit": "评估期内有效认定的零就业家庭，以及有评估期内有效认定的就业困难人员的家庭",
    "households_visited_with_record": "应走访户中，评估期内至少有一次填写了“情况与需求、帮扶措施”记录的走访",
    "visits_without_record": "应走访户中，评估期内有走访、但每次走访都没有记录；有走访、无记录备案不得分（第3.2.2行建议0分）",
    "vocational_training_help": "评估期内有“推荐职业培训”服务记录",
    "entrepreneurship_training_help": "评估期内有“推荐创业培训”服务记录",
    "flexible_employment_service": "评估期内既有“灵活就业认定”又有“协助申请社保补贴”服务记录",
    "entrepreneurship_training_referrals": "评估期内被推荐参加创业培训、且失业登记在评估期内有效的人数",
    "entrepreneurship_policy_help": "评估期内有“协助申请创业担保贷款”或“政策咨询”服务记录（政策咨询也算协助落实创业政策）",
    "entrepreneurship_guidance": "评估期内有“创业指导和跟踪服务”记录",
    "graduates_served": "评估期内接受过任一项服务的高校毕业生人数",
    "graduates_placed": "评估期内经职业介绍、并在介绍之后到评估期末之间就业的高校毕业生人数",
    "zero_employment_households": "评估期内有效认定、且至少一名成员有劳动能力和就业愿望的零就业家庭户数",
    "zero_employment_cleared_in_month": "上述家庭中，认定后一个自然月内（如1月31日认定，期限为2月28/29日）有成员就业的户数",
    "zero_employment_pending": "上述家庭中，认定未满一个月（期限在评估期末之后）且尚无成员就业的户数，不按未安置计",
    "hard_to_employ_total": "有劳动能力和就业愿望、就业困难人员认定在评估期内有效，且" + WORKING_AGE,
    "hard_to_employ_employed": "上述人员中，认定之后、评估期末之前有就业记录（单位就业、灵活就业、自主创业或公益性岗位）的人数",
    "registered_unemployed_total": "有劳动能力和就业愿望、失业登记在评估期内有效，且" + WORKING_AGE,
    "registered_unemployed_employed": "上述人员中，失业登记之后、评估期末之前有就业记录的人数",
    "unemployed_over_six_months": "评估期末前满6个自然月登记失业、期末仍未注销、登记后无就业记录，且" + WORKING_AGE,
    "welfare_post_placements": "评估期内安置到公益性岗位、且上岗当日为已认定的就业困难人员或零就业家庭成员的人数",
}


def _population() -> Q:
    # 有劳动能力和就业愿望
    return Q(labour_capacity=True, wish_to_work=True)


def _unemployment_active(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    # Uncorrelated: used as `pk__in`, evaluated once per query — hence restricted to the scope.
    return UnemploymentRegistration.objects.filter(sc.q("person__community"), registered_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )


def _hardship_active(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    return HardshipRecognition.objects.filter(sc.q("person__community"), recognized_on__lte=end).filter(
        Q(exited_on__isnull=True) | Q(exited_on__gte=start)
    )


def _employed_after(date_field: str, end: date) -> Exists:
    """An employment record of the same person starting on/after the outer row's date, by period end.

    Correlated on the person, so it reads that person's rows only (index (person, started_on)).
    """
    return Exists(
        Employment.objects.filter(
            person=OuterRef("person"), started_on__gte=OuterRef(date_field), started_on__lte=end
        )
    )


def _persons(rows: QuerySet, sc: Scope, end: date) -> QuerySet:
    """Persons of the rates' population behind `rows`: able and willing to work, and of working age
    (16 until the statutory retirement age, ledgers.retirement) at the period's end — a person past
    the retirement age leaves the population."""
    return Person.objects.filter(
        sc.q("community"), _population(), working_age_q(end), pk__in=rows.values("person_id")
    )


def registered_unemployed_total(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    return _persons(_unemployment_active(start, end, sc), sc, end)


def registered_unemployed_employed(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    return _persons(_unemployment_active(start, end, sc).filter(_employed_after("registered_on", end)), sc, end)


def hard_to_employ_total(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    return _persons(_hardship_active(start, end, sc), sc, end)


def hard_to_employ_employed(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    return _persons(_hardship_active(start, end, sc).filter(_employed_after("recognized_on", end)), sc, end)


def unemployed_over_six_months(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    # Registered on or before the same day six calendar months before the period's end, still
    # registered at the end, and no employment since the registration (STANDARD.md decision 4).
    cutoff = add_months(end, -6)
    regs = (
        UnemploymentRegistration.objects.filter(sc.q("person__community"), registered_on__lte=cutoff)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end))
        .filter(~_employed_after("registered_on", end))
    )
    return _persons(regs, sc, end)


def _zero_active(start: date, end: date) -> QuerySet:
    # Correlated on the household (OuterRef), so it reads that household's rows only.
    return ZeroEmploymentHousehold.objects.filter(household=OuterRef("pk"), recognized_on__lte=end).filter(
        Q(exited_on__isnull=True) | Q(exited_on__gte=start)
    )


def _member_employed(from_field: str, until_field: str | None, end: date) -> Exists:
    qs = Employment.objects.filter(
        person__household=OuterRef("household"), started_on__gte=OuterRef(from_field), started_on__lte=end
    )
    if until_field:
        qs = qs.filter(started_on__lte=OuterRef(until_field))
    return Exists(qs)


def _households(sc: Scope) -> QuerySet:
    return Household.objects.filter(sc.q("community"))


def _zero_population(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    able = Person.objects.filter(_population(), household=OuterRef("pk"))
    return _households(sc).filter(Exists(_zero_active(start, end))).filter(Exists(able))


def zero_employment_households(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    return _zero_population(start, end, sc)


def zero_employment_cleared_in_month(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    cleared = _zero_active(start, end).filter(_member_employed("recognized_on", "clear_deadline", end))
    return _zero_population(start, end, sc).filter(Exists(cleared))


def zero_employment_pending(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    # Recognised less than a month before the period's end and nobody employed yet: not failed.
    cleared = _zero_active(start, end).filter(_member_employed("recognized_on", "clear_deadline", end))
    pending = _zero_active(start, end).filter(clear_deadline__gt=end).filter(
        ~_member_employed("recognized_on", None, end)
    )
    return _zero_population(start, end, sc).filter(Exists(pending)).exclude(Exists(cleared))


def households_to_visit(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    hard = _hardship_active(start, end, sc).values("person__household_id")
    return _households(sc).filter(Exists(_zero_active(start, end)) | Q(pk__in=hard))


def _visits(start: date, end: date) -> QuerySet:
    return Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=start, visited_on__lte=end)


def households_visited_with_record(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    return households_to_visit(start, end, sc).filter(Exists(_visits(start, end).exclude(record="")))


def visits_without_record(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    visits = _visits(start, end)
    return (
        households_to_visit(start, end, sc).filter(Exists(visits)).exclude(Exists(visits.exclude(record="")))
    )


def welfare_post_placements(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    # Placed in a public-welfare post during the period while, at the placement's start, recognised
    # hard-to-employ OR a member of a recognised zero-employment household (DOMAIN.md 公益性岗位).
    hard_at_start = HardshipRecognition.objects.filter(
        person=OuterRef("person"), recognized_on__lte=OuterRef("started_on")
    ).filter(Q(exited_on__isnull=True) | Q(exited_on__gte=OuterRef("started_on")))
    zero_at_start = ZeroEmploymentHousehold.objects.filter(
        household=OuterRef("person__household"), recognized_on__lte=OuterRef("started_on")
    ).filter(Q(exited_on__isnull=True) | Q(exited_on__gte=OuterRef("started_on")))
    posts = Employment.objects.filter(
        sc.q("person__community"), channel=Channel.WELFARE_POST, started_on__gte=start, started_on__lte=end
    ).filter(Exists(hard_at_start) | Exists(zero_at_start))
    return Person.objects.filter(sc.q("community"), pk__in=posts.values("person_id"))


def _services(kinds: tuple[str, ...]) -> Callable[[date, date, Scope], QuerySet]:
    def build(start: date, end: date, sc: Scope = ALL) -> QuerySet:
        return ServiceRecord.objects.filter(
            sc.q("person__community"), kind__in=kinds, served_on__gte=start, served_on__lte=end
        )

    return build


def entrepreneurship_training_referrals(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    referred = ServiceRecord.objects.filter(
        sc.q("person__community"), kind=ServiceKind.ENTREPRENEURSHIP_TRAINING, served_on__gte=start,
        served_on__lte=end,
    ).values("person_id")
    return Person.objects.filter(sc.q("community"), pk__in=referred).filter(
        pk__in=_unemployment_active(start, end, sc).values("person_id")
    )


def graduates_served(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    served = ServiceRecord.objects.filter(
        sc.q("person__community"), served_on__gte=start, served_on__lte=end
    ).values("person_id")
    return Person.objects.filter(sc.q("community"), is_graduate=True, pk__in=served)


def graduates_placed(start: date, end: date, sc: Scope = ALL) -> QuerySet:
    # Referred (职业介绍) in the period and employed on/after that referral, by the period's end.
    referred = ServiceRecord.objects.filter(
        sc.q("person__community"), kind=ServiceKind.REFERRAL, served_on__gte=start, served_on__lte=end
    ).filter(_employed_after("served_on", end))
    return Person.objects.filter(sc.q("community"), is_graduate=True, pk__in=referred.values("person_id"))


_P, _H, _S = "person", "household", "service"
FACTS: dict[str, FactDef] = {
    f.name: f
    for f in [
        FactDef("households_to_visit", _H, "community", households_to_visit),
        FactDef("households_visited_with_record", _H, "community", households_visited_with_record),
        FactDef("visits_without_record", _H, "community", visits_without_record),
        FactDef(
            "vocational_training_help", _S, "person__community",
            _services((ServiceKind.VOCATIONAL_TRAINING,)), mode="any",
        ),
        FactDef(
            "entrepreneurship_training_help", _S, "person__community",
            _services((ServiceKind.ENTREPRENEURSHIP_TRAINING,)), mode="any",
        ),
        FactDef(
            "flexible_employment_service", _S, "person__community",
            _services((ServiceKind.FLEXIBLE_RECOGNITION, ServiceKind.SOCIAL_INSURANCE_SUBSIDY)),
            mode="kinds", kinds=(ServiceKind.FLEXIBLE_RECOGNITION, ServiceKind.SOCIAL_INSURANCE_SUBSIDY),
        ),
        FactDef("entrepreneurship_training_referrals", _P, "community", entrepreneurship_training_referrals),
        FactDef(
            "entrepreneurship_policy_help", _S, "person__community",
            _services((ServiceKind.GUARANTEED_LOAN, ServiceKind.POLICY)), mode="any",
        ),
        FactDef(
            "entrepreneurship_guidance", _S, "person__community",
            _services((ServiceKind.ENTREPRENEURSHIP_GUIDANCE,)), mode="any",
        ),
        FactDef("graduates_served", _P, "community", graduates_served),
        FactDef("graduates_placed", _P, "community", graduates_placed),
        FactDef("zero_employment_households", _H, "community", zero_employment_households),
        FactDef("zero_employment_cleared_in_month", _H, "community", zero_employment_cleared_in_month),
        FactDef("zero_employment_pending", _H, "community", zero_employment_pending),
        FactDef("hard_to_employ_total", _P, "community", hard_to_employ_total),
        FactDef("hard_to_employ_employed", _P, "community", hard_to_employ_employed),
        FactDef("registered_unemployed_total", _P, "community", registered_unemployed_total),
        FactDef("registered_unemployed_employed", _P, "community", registered_unemployed_employed),
        FactDef("unemployed_over_six_months", _P, "community", unemployed_over_six_months),
        FactDef("welfare_post_placements", _P, "community", welfare_post_placements),
    ]
}
FACT_NAMES: frozenset[str] = frozenset(FACTS)


def _empty(fd: FactDef) -> Any:
    return 0 if fd.mode == "count" else False


def compute_all(year: int, community_ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Facts of every community for a period: one grouped aggregate query per fact.

    Communities with no rows get 0 / False. `community_ids` restricts (inside every sub-select) and
    seeds the result.
    """
    start, end = period_bounds(year)
    result: dict[int, dict[str, Any]] = {}
    sc = ALL
    if community_ids is not None:
        result = {cid: {name: _empty(fd) for name, fd in FACTS.items()} for cid in community_ids}
        if not community_ids:
            return result
        sc = Scope(tuple(sorted(set(community_ids))))
    for name, fd in FACTS.items():
        qs = fd.build(start, end, sc).filter(sc.q(fd.path)).order_by()
        key = fd.path + "_id"
        if fd.mode == "kinds":
            rows = qs.values(key).annotate(n=Count("kind", distinct=True)).values_list(key, "n")
        else:
            rows = qs.values(key).annotate(n=Count("pk", distinct=True)).values_list(key, "n")
        for cid, n in rows:
            facts = result.setdefault(cid, {k: _empty(d) for k, d in FACTS.items()})
            facts[name] = n if fd.mode == "count" else (n >= len(fd.kinds) if fd.mode == "kinds" else n > 0)
    return result


def _community_queryset(fd: FactDef, year: int, community_id: int) -> QuerySet:
    start, end = period_bounds(year)
    sc = Scope((community_id,))
    return fd.build(start, end, sc).filter(sc.q(fd.path)).order_by()


def fact_records(name: str, year: int, community_id: int) -> list[int]:
    qs = _community_queryset(FACTS[name], year, community_id)
    return sorted(set(qs.values_list("pk", flat=True)))


def compute_community(year: int, community_id: int) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """Facts of one community with the ids of the records behind each (for drill-down and snapshots).

    One query per fact, each reading only this community's rows.
    """
    values: dict[str, Any] = {}
    records: dict[str, list[int]] = {}
    for name, fd in FACTS.items():
        qs = _community_queryset(fd, year, community_id)
        if fd.mode == "kinds":
            rows = list(qs.values_list("pk", "kind"))
            ids = sorted({pk for pk, _ in rows})
            values[name] = {k for _, k in rows} >= set(fd.kinds)
        else:
            ids = sorted(set(qs.values_list("pk", flat=True)))
            values[name] = len(ids) if fd.mode == "count" else bool(ids)
        records[name] = ids
    return values, records
