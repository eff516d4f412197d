"""The compare view (three columns side by side) and the audit trail of one evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ledgers.facts import FACTS as LEDGER_FACTS
from orgs.models import User
from orgs.scoping import get_for_user
from standards.numbers import format_points

from . import policy
from .models import AuditEvent, Evaluation, Stage, State, Transition
from .policy import ACTIONS
from .presenters import Sheet, compare_rows, compare_summary, visible_events, visible_transitions

PAGE_SIZE = 100
PANEL_SIZE = 20

KIND_LABELS = {
    "score": "得分",
    "reason": "扣分原因",
    "fact": "核查事实",
    "evidence": "证明材料",
    "state": "状态流转",
    "snapshot": "事实快照",
    "innovation": "创新工作文字材料",
}
FIELD_LABELS = {
    "score": "得分",
    "reason": "扣分原因",
    "file": "上传文件",
    "deleted": "删除材料",
    "innovation_text": "创新工作文字材料",
}
ACTION_LABELS = {name: action.label for name, action in ACTIONS.items()}
# A state AuditEvent written next to a Transition is the same step: show it once (the Transition
# carries the lines and the comment).
SAME_STEP_SECONDS = 5

def visible_stages(user: User, evaluation: Evaluation) -> list[str]:
    """The stages whose scores the user may see on this sheet (evaluations.policy decides)."""
    return list(policy.visible_stages(user, evaluation))


def _evaluation(request, pk: int) -> Evaluation:
    return get_for_user(
        request.user, Evaluation.objects.select_related("period__standard", "community"), "view", pk=pk
    )


# ---------------------------------------------------------------------------------------------
# Compare


@login_required
@require_GET
def compare(request, pk: int):
    ev = _evaluation(request, pk)
    sheet = Sheet(ev, request.user, begun_only=True)
    stages = sheet.stages
    result = sheet.result
    standard = sheet.standard
    rows = compare_rows(ev, stages, result)
    only_diff = request.GET.get("diff") == "1"
    context = {
        "ev": ev,
        "rows": [r for r in rows if r.any_diff] if only_diff else rows,
        "diff_count": sum(1 for r in rows if r.any_diff),
        "only_diff": only_diff,
        "stages": [(s, standard.stage_label(s), s in stages) for s in Stage.values],
        "summary": compare_summary(sheet),
        "result": result,
        "final_star": sheet.final_star,
    }
    return render(request, "evaluations/compare.html", context)


# ---------------------------------------------------------------------------------------------
# History


@dataclass
class Entry:
    at: datetime
    kind: str
    kind_label: str
    line_id: str
    stage: str
    stage_label: str
    field_label: str
    old: str
    new: str
    note: str
    user: str
    sort_key: tuple


def show_value(value: Any, labels: dict[str, str] | None = None) -> str:
    """A stored value as users read it; dict keys (fact names of a snapshot) shown by their labels."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return format_points(value)
    if isinstance(value, dict):
        if "sha256" in value:
            parts = [f"「{value.get('title', '')}」第 {value.get('revision')} 版", str(value.get("name", ""))]
            if value.get("size") is not None:
                parts.append(f"{value['size']:,} 字节")
            parts.append(f"SHA-256 {str(value['sha256'])[:16]}…")
            return "，".join(p for p in parts if p)
        if set(value) == {"title"}:
            return f"「{value['title']}」"
        labels = labels or {}
        return "；".join(f"{labels.get(k, k)}：{show_value(v, labels)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(show_value(v, labels) for v in value) or "（空）"
    return str(value)


def history_entries(
    evaluation: Evaluation,
    user: User,
    *,
    line: str = "",
    stage: str = "",
    kind: str = "",
) -> list[Entry]:
    """The audit trail (AuditEvent + Transition) newest first, filtered and cut to what the user sees."""
    standard = evaluation.period.standard.standard
    stage_labels = dict(Stage.choices)
    state_labels = dict(State.choices)
    entries: list[Entry] = []
    with_transitions = kind in ("", "state") and not stage
    transitions = visible_transitions(
        user, evaluation, list(Transition.objects.filter(evaluation=evaluation).select_related("user"))
    )
    steps = [(t.user_id, t.from_state, t.to_state, t.at) for t in transitions]

    def is_transition(e: AuditEvent) -> bool:
        return e.kind == "state" and any(
            uid == e.user_id and old == e.old and new == e.new and abs((at - e.at).total_seconds()) <= SAME_STEP_SECONDS
            for uid, old, new, at in steps
        )

    fact_labels = {name: fd.label for name, fd in LEDGER_FACTS.items() if fd.label}
    fact_labels.update({name: fact.label for name, fact in standard.facts.items()})
    events = AuditEvent.objects.filter(evaluation=evaluation).select_related("user")
    if line:
        events = events.filter(line_id=line)
    if stage:
        events = events.filter(stage=stage)
    if kind:
        events = events.filter(kind=kind)
    for e in visible_events(user, evaluation, list(events)):
        if with_transitions and is_transition(e):
            continue
        if e.kind == "state":
            old, new = state_labels.get(e.old, show_value(e.old)), state_labels.get(e.new, show_value(e.new))
        else:
            old, new = show_value(e.old, fact_labels), show_value(e.new, fact_labels)
        field = FIELD_LABELS.get(e.field, "")
        if e.kind == "fact" and e.field in standard.facts:
            field = standard.facts[e.field].label
        entries.append(
            Entry(
                at=e.at,
                kind=e.kind,
                kind_label=KIND_LABELS.get(e.kind, e.kind),
                line_id=e.line_id,
                stage=e.stage,
                stage_label=stage_labels.get(e.stage, e.stage),
                field_label=field or e.field,
                old=old,
                new=new,
                note=e.note,
                user=str(e.user),
                sort_key=(e.at, 0, e.pk),
            )
        )
    if with_transitions:
        for t in transitions:
            if line and line not in (t.lines or []):
                continue
            note = t.comment
            if t.lines:
                note = (f"涉及第 {'、'.join(t.lines)} 项。" + note).strip()
            entries.append(
                Entry(
                    at=t.at,
                    kind="state",
                    kind_label=KIND_LABELS["state"],
                    line_id="、".join(t.lines or []),
                    stage="",
                    stage_label="",
                    field_label=ACTION_LABELS.get(t.action, t.action),
                    old=state_labels.get(t.from_state, t.from_state),
                    new=state_labels.get(t.to_state, t.to_state),
                    note=note,
                    user=str(t.user),
                    sort_key=(t.at, 1, t.pk),
                )
            )
    entries.sort(key=lambda en: en.sort_key, reverse=True)
    return entries


def history_filters(evaluation: Evaluation, user: User) -> dict:
    standard = evaluation.period.standard.standard
    kinds = set(AuditEvent.objects.filter(evaluation=evaluation).values_list("kind", flat=True).distinct())
    kinds.add("state")
    stages = visible_stages(user, evaluation)
    return {
        "line_choices": [(line.id, line.id) for line in standard.lines],
        "stage_choices": [(value, label) for value, label in Stage.choices if value in stages],
        "kind_choices": sorted(((k, KIND_LABELS.get(k, k)) for k in kinds), key=lambda kv: kv[0]),
    }


@login_required
@require_GET
def history(request, pk: int):
    ev = _evaluation(request, pk)
    line = request.GET.get("line", "").strip()
    stage = request.GET.get("stage", "").strip()
    kind = request.GET.get("kind", "").strip()
    entries = history_entries(ev, request.user, line=line, stage=stage, kind=kind)
    context = {"ev": ev, "line": line, "stage": stage, "kind": kind}
    if request.GET.get("panel") == "1":
        context.update(entries=entries[:PANEL_SIZE], more=len(entries) > PANEL_SIZE, total=len(entries))
        return render(request, "evaluations/_history_panel.html", context)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(page=page, entries=page.object_list, total=len(entries), query=query.urlencode())
    context.update(history_filters(ev, request.user))
    return render(request, "evaluations/history.html", context)
