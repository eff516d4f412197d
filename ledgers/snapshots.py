"""Ledger facts as seen by the evaluation sheet: live while the community drafts, frozen from submission.

`ledger_facts` is the provider registered with evaluations.facts. The snapshot taken on
evaluation_submitted keeps values and record ids, so later ledger edits do not silently change what
the county reviews; a reviewer may refresh it (`refresh_snapshot`), which records the differences.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.reversing import url_filler
from evaluations import policy
from evaluations.audit import record
from evaluations.facts import FactValue, forget_facts
from evaluations.models import Evaluation, State
from orgs.scoping import can

from . import live_facts
from .facts import DEFINITIONS, FACT_NAMES, FACTS, compute_community
from .models import FactSnapshot


class SnapshotError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def latest_snapshot(evaluation: Evaluation) -> FactSnapshot | None:
    # A sheet back in draft (returned to the community) reads live ledgers again until resubmitted.
    if evaluation.state == State.DRAFT:
        return None
    return FactSnapshot.objects.filter(evaluation=evaluation).order_by("-taken_at", "-id").first()


def _drill_urls(evaluation: Evaluation) -> Callable[..., str]:
    # One reverse() per sheet, not one per fact (the autosave and the sheet page ask for every fact).
    return url_filler("ledgers:fact_records", evaluation.pk, slots=("FACTNAME",))


def ledger_facts(evaluation: Evaluation) -> dict[str, FactValue]:
    snap = latest_snapshot(evaluation)
    url = _drill_urls(evaluation)
    if snap is not None:
        when = timezone.localtime(snap.taken_at).strftime("%Y-%m-%d %H:%M")
        label = f"台帐（{snap.get_reason_display()} {when}）"
        return {
            name: FactValue(
                name, snap.values[name], source="snapshot", label=label, drill_url=url(name),
                extra={"definition": DEFINITIONS.get(name, "")},
            )
            for name in FACTS
            if name in snap.values
        }
    values = live_facts.values_for(evaluation.period.year, evaluation.community_id)
    return {
        name: FactValue(name, value, source="ledger", label="台帐（实时计算）", drill_url=url(name),
                        extra={"definition": DEFINITIONS.get(name, "")})
        for name, value in values.items()
    }


def _store(evaluation: Evaluation, user, reason: str) -> tuple[FactSnapshot, dict[str, Any]]:
    values, records = compute_community(evaluation.period.year, evaluation.community_id)
    snap = FactSnapshot.objects.create(
        evaluation=evaluation, reason=reason, values=values, records=records, taken_by=user
    )
    return snap, values


def on_submitted(sender, evaluation: Evaluation, user, **kwargs) -> None:
    """Freeze the ledger facts inside the submit transaction."""
    snap, values = _store(evaluation, user, FactSnapshot.Reason.SUBMIT)
    record(evaluation, user, "snapshot", new=values, note=f"提交时冻结台帐事实（共{len(values)}项）")


def describe_differences(old: dict[str, Any], new: dict[str, Any], labels: dict[str, str]) -> list[str]:
    lines = []
    for name in sorted(FACT_NAMES):
        before, after = old.get(name), new.get(name)
        if before != after:
            lines.append(f"{labels.get(name, name)}：{_show(before)} → {_show(after)}")
    return lines


def _show(value: Any) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None:
        return "无"
    return str(value)


def refresh_snapshot(evaluation_id: int, user) -> tuple[FactSnapshot, list[str]]:
    """Re-compute the ledger facts of a submitted sheet and store them as its new snapshot."""
    if not can(user, "refresh_facts"):
        raise SnapshotError("您的角色无权刷新台帐事实。")
    with transaction.atomic():
        ev = Evaluation.objects.select_for_update(of=("self",)).select_related("period__standard").get(pk=evaluation_id)
        if not policy.may_refresh_facts(user, ev):
            raise SnapshotError(f"评估表当前状态为“{ev.get_state_display()}”，不能刷新台帐事实快照。")
        previous = latest_snapshot(ev)
        snap, values = _store(ev, user, FactSnapshot.Reason.REFRESH)
        forget_facts()
        labels = {n: d.label for n, d in ev.period.standard.standard.facts.items()}
        diffs = describe_differences(previous.values if previous else {}, values, labels)
        note = "刷新台帐事实快照：" + ("；".join(diffs) if diffs else "与上次快照相比无变化")
        record(ev, user, "snapshot", old=previous.values if previous else None, new=values, note=note)
        ev.revision += 1
        ev.save(update_fields=["revision", "updated_at"])
    return snap, diffs
