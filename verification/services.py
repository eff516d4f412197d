"""Writes of the verification workflow: draws, checks and what a differing check does to the ledger.

Each write is atomic, checks who may do it and in which scope, and leaves a VerificationEvent.
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from evaluations.models import Evaluation, Period
from ledgers.dates import parse_date, period_bounds
from ledgers.services import log as ledger_log
from orgs.models import Level, Unit, User
from orgs.scoping import can, visible_communities

from .kinds import KINDS, Kind
from .models import Check, Draw, Outcome, Result, VerificationEvent
from .risk import RISK_WEIGHT, flagged_owners, flags_for

MAX_SEED = 2**53  # shown and typed by people; stays exact in JSON and JavaScript


class VerificationError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_scope(user: User, community: Unit) -> None:
    """Draw and check: county and city reviewers, in their own scope."""
    if not can(user, "verify"):
        raise VerificationError("您的角色不能抽样或核查台帐。")
    if community.level != Level.COMMUNITY or not visible_communities(user).filter(pk=community.pk).exists():
        raise VerificationError("该社区不在您的管辖范围内。")


# ------------------------------------------------------------------------------------------------
# Sampling (pure, reproducible)


def sample(candidate_ids: list[int], size: int, seed: int, weights: dict[int, int] | None = None) -> list[int]:
    """`size` of the candidates (given in a stable order), drawn with random.Random(seed).

    Unweighted: random.sample. Weighted: Efraimidis–Spirakis (key = u ** (1/w), largest keys win), so
    a record of weight 3 is three times as likely to be drawn first. Same input, same seed: same sample,
    whatever the database.
    """
    rng = random.Random(seed)
    size = min(size, len(candidate_ids))
    if not weights:
        return rng.sample(candidate_ids, size)
    keyed = [(rng.random() ** (1.0 / weights.get(pk, 1)), pk) for pk in candidate_ids]
    keyed.sort(key=lambda kv: (-kv[0], kv[1]))
    return [pk for _, pk in keyed[:size]]


def size_for(candidates: int, count: int | None, share: Decimal | None) -> int:
    if share is not None:
        return min(candidates, max(1, math.ceil(candidates * share / 100))) if candidates else 0
    return min(candidates, count or 0)


@dataclass
class Candidates:
    ids: list[int]
    weights: dict[int, int]


def candidates(kind: Kind, community: Unit, period: Period, weighted: bool) -> Candidates:
    start, end = period_bounds(period.year)
    qs = kind.candidates(community.pk, start, end)
    if kind.person_based:
        rows = list(qs.values_list("pk", "person_id", "person__household_id"))
    else:
        rows = [(pk, None, h) for pk, h in qs.values_list("pk", "household_id")]
    ids = [pk for pk, _, _ in rows]
    weights: dict[int, int] = {}
    if weighted:
        flags = flags_for([community.pk], period.year, period.self_deadline).get(community.pk, [])
        records, persons, households = flagged_owners(flags)
        for pk, person, household in rows:
            if (kind.name, pk) in records or (person is not None and person in persons) or household in households:
                weights[pk] = RISK_WEIGHT
    return Candidates(ids, weights)


def draw(user: User, community: Unit, period: Period, kind_name: str, count: int | None = None,
         share: Decimal | None = None, weighted: bool = False, seed: int | None = None,
         replaces: Draw | None = None, reason: str = "") -> Draw:
    """Draw a sample and create its check tasks. A second draw of the same kind is a redraw: it needs
    a reason, names the draw it replaces and keeps it."""
    check_scope(user, community)
    kind = KINDS.get(kind_name)
    if kind is None:
        raise VerificationError("请选择要抽查的台帐。")
    if share is None and not count:
        raise VerificationError("请填写抽取数量或抽取比例。")
    if share is not None and not (0 < share <= 100):
        raise VerificationError("抽取比例应在 0 到 100 之间。")
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    elif not (0 <= seed < MAX_SEED):
        raise VerificationError(f"随机种子应为 0 到 {MAX_SEED - 1} 之间的整数。")
    found = candidates(kind, community, period, weighted)
    size = size_for(len(found.ids), count, share)
    if size == 0:
        raise VerificationError(f"该社区{period.year}年度没有可抽取的{kind.label}。")
    chosen = sample(found.ids, size, seed, found.weights if weighted else None)
    with transaction.atomic():
        current = (Draw.objects.select_for_update(of=("self",)).filter(community=community, period=period, kind=kind.name,
                                                           replaced_by__isnull=True).first())
        if current is not None:
            if replaces is None or replaces.pk != current.pk:
                raise VerificationError(f"该社区本年度的{kind.label}已抽样（种子 {current.seed}）。如需重新抽样，"
                                        "请在原抽样页面点“重新抽样”并说明原因，原抽样将保留。")
            if not reason.strip():
                raise VerificationError("重新抽样须说明原因。")
        elif replaces is not None:
            raise VerificationError("原抽样已被替代，请刷新页面。")
        new = Draw.objects.create(
            community=community, period=period, kind=kind.name, size=size, share=share, weighted=weighted, seed=seed,
            candidates=len(found.ids), record_ids=chosen, reason=reason.strip()[:300], replaces=current, drawn_by=user,
        )
        Check.objects.bulk_create([Check(draw=new, kind=kind.name, object_id=pk, position=i + 1)
                                   for i, pk in enumerate(chosen)])
        VerificationEvent.objects.create(
            community=community, user=user, action="redraw" if current else "draw", draw=new,
            detail={"kind": kind.name, "seed": seed, "size": size, "candidates": len(found.ids),
                    "weighted": weighted, "replaces": current.pk if current else None, "reason": reason.strip()},
        )
    return new


# ------------------------------------------------------------------------------------------------
# Checks


def record_check(user: User, check_id: int, method: str, result: str, field: str = "", correct_value: str = "",
                 notes: str = "", photo: Any = None) -> Check:
    with transaction.atomic():
        check = Check.objects.select_for_update(of=("self",)).select_related("draw__community").get(pk=check_id)
        check_scope(user, check.draw.community)
        if check.outcome:
            raise VerificationError("该记录已按核查结果处理，核查结论不能再修改。")
        kind = KINDS[check.kind]
        if result == Result.DIFFERS and field not in kind.fields:
            raise VerificationError("核查结果为“不符”时，请选择不符的项目并填写核实的正确值。")
        if result == Result.DIFFERS and not correct_value.strip():
            raise VerificationError("请填写核实的正确值。")
        check.method, check.result, check.notes = method, result, notes.strip()
        check.field = field if result == Result.DIFFERS else ""
        check.correct_value = correct_value.strip() if result == Result.DIFFERS else ""
        check.checked_by, check.checked_at = user, timezone.now()
        fields = ["method", "result", "notes", "field", "correct_value", "checked_by", "checked_at"]
        if photo is not None:
            check.photo = photo
            fields.append("photo")
        check.save(update_fields=fields)
        VerificationEvent.objects.create(
            community=check.draw.community, user=user, action="check", draw=check.draw, check_task=check,
            detail={"method": method, "result": result, "field": check.field, "photo": bool(check.photo)},
        )
    return check


def _coerce(record: models.Model, field_name: str, raw: str) -> Any:
    field = record._meta.get_field(field_name)
    if not isinstance(field, models.Field):
        raise VerificationError("该项目不能更正。")
    if isinstance(field, models.DateField):
        value = parse_date(raw)
        if value is None and raw.strip():
            raise VerificationError(f"“{field.verbose_name}”的正确值不是有效日期：{raw}")
        return value
    if field.choices:
        for code, label in field.choices:
            if raw.strip() in (code, label):
                return code
        labels = "、".join(str(label) for _, label in field.choices)
        raise VerificationError(f"“{field.verbose_name}”的正确值应为以下之一：{labels}")
    return raw.strip()


def correct_record(user: User, check_id: int) -> Check:
    """Write the checked value into the ledger record, through the model's own clean(); audited both in
    the ledger's change log and here, with the check linked."""
    with transaction.atomic():
        check = Check.objects.select_for_update(of=("self",)).select_related("draw__community").get(pk=check_id)
        check_scope(user, check.draw.community)
        if check.result != Result.DIFFERS:
            raise VerificationError("只有核查结果为“不符”的记录才能更正。")
        if check.outcome:
            raise VerificationError("该记录已处理。")
        kind = KINDS[check.kind]
        record = kind.model._default_manager.select_for_update().get(pk=check.object_id)
        before = getattr(record, check.field)
        setattr(record, check.field, _coerce(record, check.field, check.correct_value))
        try:
            record.full_clean()
        except ValidationError as exc:
            raise VerificationError("更正后的记录未通过校验：" + "；".join(
                m for messages in exc.message_dict.values() for m in messages)) from exc
        record.save(update_fields=[check.field])
        label = kind.field_label(check.field)
        ledger_log(user, check.draw.community_id, "update", record,
                   note=f"抽查核实更正（核查任务 {check.pk}）：{label} {before or '空'} → {check.correct_value}")
        check.outcome, check.outcome_by, check.outcome_at = Outcome.CORRECTED, user, timezone.now()
        check.save(update_fields=["outcome", "outcome_by", "outcome_at"])
        VerificationEvent.objects.create(
            community=check.draw.community, user=user, action="correct", draw=check.draw, check_task=check,
            detail={"field": check.field, "before": str(before or ""), "after": check.correct_value},
        )
    return check


def invalidate_record(user: User, check_id: int) -> Check:
    """Mark the record invalid for the facts: the sheet shows the suggestion recomputed without it."""
    with transaction.atomic():
        check = Check.objects.select_for_update(of=("self",)).select_related("draw__community").get(pk=check_id)
        check_scope(user, check.draw.community)
        if check.result not in (Result.DIFFERS, Result.UNREACHABLE):
            raise VerificationError("只有核查结果为“不符”或“无法联系”的记录才能认定无效。")
        if check.outcome:
            raise VerificationError("该记录已处理。")
        check.outcome, check.outcome_by, check.outcome_at = Outcome.INVALID, user, timezone.now()
        check.save(update_fields=["outcome", "outcome_by", "outcome_at"])
        VerificationEvent.objects.create(
            community=check.draw.community, user=user, action="invalidate", draw=check.draw, check_task=check,
            detail={"kind": check.kind, "record": check.object_id},
        )
    return check


def evaluation_of(community: Unit, period: Period) -> Evaluation | None:
    return Evaluation.objects.filter(community=community, period=period).first()
