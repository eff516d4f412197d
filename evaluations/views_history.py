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
from orgs.models import Role, User
from orgs.scoping import get_for_user
from standards.numbers import format_points
from standards.presentation import table_rows

from .models import AuditEvent, Evaluation, Stage, State, Transition
from .scoring import result_for
from .services.workflow import ACTIONS

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

# States in which a reviewer stage is still work in progress (or not yet released): its column is
# hidden from the community and the street until the stage is finished.
COUNTY_UNRELEASED = frozenset({State.SUBMITTED, State.COUNTY_REVIEWING})
CITY_UNRELEASED = frozenset(
    {State.SUBMITTED, State.COUNTY_REVIEWING, State.COUNTY_PASSED, State.CITY_REVIEWING, State.CITY_REVIEWED}
)
REVIEWER_ROLES = frozenset({Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.CITY_ADMIN})


def visible_stages(user: User, evaluation: Evaluation) -> list[str]:
    """The stages whose scores the user may see on this sheet."""
    if user.role in REVIEWER_ROLES:
        return list(Stage.values)
    stages = [Stage.SELF.value]
    if evaluation.state not in COUNTY_UNRELEASED:
        stages.append(Stage.COUNTY.value)
    if evaluation.state not in CITY_UNRELEASED:
        stages.append(Stage.CITY.value)
    return stages


def _evaluation(request, pk: int) -> Evaluation:
    return get_for_user(
        request.user, Evaluation.objects.select_related("period__standard", "community"), "view", pk=pk
    )


# ---------------------------------------------------------------------------------------------
# Compare


@dataclass
class Cell:
    score: Any
    reason: str
    differs: bool  # county differs from self, or city from county


@dataclass
class CompareRow:
    line_id: str
    section_title: str
    section_rowspan: int
    content: str
    line_max: Any
    stages: tuple[str, ...]
    suggestion: Any
    explanation: str
    cells: dict[str, Cell | None]
    any_diff: bool
    cell_list: list[tuple[str, Cell | None, bool]]


def compare_rows(evaluation: Evaluation, stages: list[str], result) -> list[CompareRow]:
    entered: dict[tuple[str, str], tuple[Any, str]] = {
        (ls.line_id, ls.stage): (ls.score, ls.reason) for ls in evaluation.scores.all()
    }
    previous_stage = {Stage.COUNTY: Stage.SELF, Stage.CITY: Stage.COUNTY}
    rows = []
    for row in table_rows(evaluation.period.standard.data):
        cells: dict[str, Cell | None] = {}
        for stage in Stage.values:
            if stage not in stages or stage not in row.stages:
                cells[stage] = None
                continue
            score, reason = entered.get((row.line_id, stage), (None, ""))
            before = previous_stage.get(stage)
            differs = False
            if before and before in stages and before in row.stages and score is not None:
                prior = entered.get((row.line_id, before), (None, ""))[0]
                differs = prior is not None and prior != score
            cells[stage] = Cell(score=score, reason=reason, differs=differs)
        suggestion = result.suggestions.get(row.line_id)
        rows.append(
            CompareRow(
                line_id=row.line_id,
                section_title=row.section_title,
                section_rowspan=row.section_rowspan,
                content=row.content,
                line_max=row.line_max,
                stages=row.stages,
                suggestion=suggestion.score if suggestion else None,
                explanation=suggestion.explanation if suggestion else "",
                cells=cells,
                any_diff=any(c is not None and c.differs for c in cells.values()),
                cell_list=[(s, cells[s], s in stages) for s in Stage.values],
            )
        )
    return rows


@login_required
@require_GET
def compare(request, pk: int):
    ev = _evaluation(request, pk)
    stages = visible_stages(request.user, ev)
    result = result_for(ev)
    standard = ev.period.standard.standard
    rows = compare_rows(ev, stages, result)
    only_diff = request.GET.get("diff") == "1"
    summary = [
        {
            "stage": stage,
            "label": standard.stage_label(stage),
            "visible": stage in stages,
            "total": result.totals.get(stage),
            "max": result.stage_max.get(stage, standard.stage_max(stage)),
            "star": result.stars.get(stage),
            "missing": sum(1 for e in result.errors if e.stage == stage and e.code == "missing_score"),
            "errors": [e for e in result.errors if e.stage == stage and e.code != "missing_score"],
        }
        for stage in Stage.values
    ]
    context = {
        "ev": ev,
        "rows": [r for r in rows if r.any_diff] if only_diff else rows,
        "diff_count": sum(1 for r in rows if r.any_diff),
        "only_diff": only_diff,
        "stages": [(s, standard.stage_label(s), s in stages) for s in Stage.values],
        "summary": summary,
        "result": result,
        "final_star": result.star if Stage.CITY in stages else None,
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
    stages = visible_stages(user, evaluation)
    stage_labels = dict(Stage.choices)
    state_labels = dict(State.choices)
    entries: list[Entry] = []
    with_transitions = kind in ("", "state") and not stage
    transitions = list(Transition.objects.filter(evaluation=evaluation).select_related("user"))
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
    for e in events:
        if e.stage and e.stage not in stages:
            continue
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
