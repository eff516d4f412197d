"""The ledger kinds a sample can be drawn from, and which facts each kind's records feed.

Facts and their definitions live in `ledgers.facts`; here each kind names the facts whose records
(persons, households or service records: `ledgers.facts.FactDef.model`) a record of the kind stands
behind, so a record found invalid takes its owner out of exactly those facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Q

from ledgers.facts import FACTS
from ledgers.models import (
    Employment,
    HardshipRecognition,
    ServiceRecord,
    UnemploymentRegistration,
    Visit,
    ZeroEmploymentHousehold,
)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    model: type[models.Model]
    community_path: str  # ORM path to the community Unit
    start: str  # the record's date
    end: str | None  # the date it ends (None: a one-day record)
    fields: tuple[str, ...]  # fields a check may find differing (and correct)
    facts: tuple[str, ...]  # facts the record stands behind (ledgers.facts names)

    @property
    def person_based(self) -> bool:
        return self.community_path.startswith("person")

    def candidates(self, community_id: int, start: date, end: date) -> models.QuerySet:
        """The kind's records of one community relevant to a period, in a stable order (pk)."""
        if self.person_based:
            scope = Q(person__in=_persons(community_id))
        else:
            scope = Q(household__in=_households(community_id))
        qs = self.model._default_manager.filter(scope, **{f"{self.start}__lte": end})
        if self.end:
            qs = qs.filter(Q(**{f"{self.end}__isnull": True}) | Q(**{f"{self.end}__gte": start}))
        else:
            qs = qs.filter(**{f"{self.start}__gte": start})
        return qs.order_by("pk")

    def field_label(self, field: str) -> str:
        return str(self.model._meta.get_field(field).verbose_name)

    def field_choices(self) -> list[tuple[str, str]]:
        return [(f, self.field_label(f)) for f in self.fields]

    def owners(self, record: Any) -> dict[str, int]:
        """The fact records (by FactDef.model) this record stands behind."""
        if self.person_based:
            out = {"person": record.person_id, "household": record.person.household_id}
        else:
            out = {"household": record.household_id}
        if self.model is ServiceRecord:
            out["service"] = record.pk
        return out


def _persons(community_id: int):
    from ledgers.models import Person

    return Person.objects.filter(community_id=community_id).values("pk")


def _households(community_id: int):
    from ledgers.models import Household

    return Household.objects.filter(community_id=community_id).values("pk")


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind("unemployment", "失业登记", UnemploymentRegistration, "person__community", "registered_on", "ended_on",
             ("registered_on", "ended_on", "end_reason"),
             ("registered_unemployed_total", "registered_unemployed_employed", "unemployed_over_six_months",
              "entrepreneurship_training_referrals")),
        Kind("hardship", "就业困难人员认定", HardshipRecognition, "person__community", "recognized_on", "exited_on",
             ("category", "recognized_on", "exited_on"),
             ("hard_to_employ_total", "hard_to_employ_employed", "welfare_post_placements", "households_to_visit")),
        Kind("zero_household", "零就业家庭认定", ZeroEmploymentHousehold, "household__community", "recognized_on",
             "exited_on", ("recognized_on", "exited_on", "exit_reason"),
             ("zero_employment_households", "zero_employment_cleared_in_month", "zero_employment_pending",
              "households_to_visit")),
        Kind("employment", "就业记录", Employment, "person__community", "started_on", "ended_on",
             ("channel", "employer_name", "post", "started_on", "ended_on"),
             ("registered_unemployed_employed", "hard_to_employ_employed", "graduates_placed",
              "welfare_post_placements", "zero_employment_cleared_in_month")),
        Kind("service", "服务记录", ServiceRecord, "person__community", "served_on", None,
             ("kind", "served_on", "note"),
             ("vocational_training_help", "entrepreneurship_training_help", "flexible_employment_service",
              "entrepreneurship_policy_help", "entrepreneurship_guidance", "graduates_served",
              "entrepreneurship_training_referrals", "graduates_placed")),
        Kind("visit", "走访记录", Visit, "household__community", "visited_on", None,
             ("visited_on", "way", "record"),
             ("households_visited_with_record",)),
    ]
}
KIND_CHOICES = [(k.name, k.label) for k in KINDS.values()]

assert all(f in FACTS for k in KINDS.values() for f in k.facts), "unknown fact in verification.kinds"


def kinds_of_fact(fact: str) -> list[str]:
    return [k.name for k in KINDS.values() if fact in k.facts]


def mask_name(name: str) -> str:
    """张*明 / 张* : the display masking of a name (DOMAIN.md)."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def describe(kind: Kind, record: Any) -> str:
    """A short Chinese description of a record (the person's name masked, no ID or phone)."""
    if kind.person_based:
        who = mask_name(record.person.name)
    else:
        who = f"{mask_name(record.household.head_name)}户"
    when = getattr(record, kind.start)
    extra = ""
    if kind.model is ServiceRecord:
        extra = f" {record.get_kind_display()}"
    elif kind.model is Employment:
        extra = f" {record.get_channel_display()}"
    elif kind.model is HardshipRecognition:
        extra = f" {record.get_category_display()}"
    return f"{who} · {kind.field_label(kind.start)} {when:%Y-%m-%d}{extra}"


def load(kind: Kind, ids: list[int]) -> dict[int, Any]:
    """Records of one kind by id, with their person/household, in one query."""
    related = "person__household" if kind.person_based else "household"
    return {r.pk: r for r in kind.model._default_manager.select_related(related).filter(pk__in=ids)}
