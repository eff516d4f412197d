"""What one user is shown of a sheet: one presenter for the sheet page and its fragments, the compare
view, the history, the printed/exported forms, the API, lists and home pages.

Every stage column, total, reason, star and return comment passes through `evaluations.policy`: a stage
the user may not see is never put into the presented data, so no template or serializer can leak it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from config.reversing import url_filler
from orgs.models import User
from standards import engine
from standards.numbers import format_points
from standards.presentation import table_rows

from . import evidence_rules, policy, selectors
from .facts import FactValue, checklist_answers, checklist_fact_names, collect_facts
from .models import AuditEvent, Evaluation, LineScore, ReturnedLine, Stage, State, Transition
from .scoring import result_for

# Which deadline applies to a sheet in each state (the stage it waits for).
STATE_DEADLINE = {
    State.DRAFT: "self_deadline",
    State.SUBMITTED: "county_deadline",
    State.COUNTY_REVIEWING: "county_deadline",
    State.COUNTY_PASSED: "city_deadline",
    State.CITY_REVIEWING: "city_deadline",
    State.CITY_REVIEWED: "city_deadline",
}
STATE_BADGE = {
    State.DRAFT: "secondary", State.SUBMITTED: "info", State.COUNTY_REVIEWING: "primary",
    State.COUNTY_PASSED: "info", State.CITY_REVIEWING: "primary", State.CITY_REVIEWED: "success",
    State.NOTICE: "warning", State.PUBLISHED: "success", State.APPEAL_REVIEWING: "warning",
}
SUGGESTION_BADGES = {
    "not_evaluated": ("text-bg-danger", "不列入评估"),
    "disqualified": ("text-bg-danger", "取消资格"),
    "no_population": ("text-bg-info", "无统计人群"),
}
STAGE_TOTAL_FIELD = {Stage.SELF.value: "self_total", Stage.COUNTY.value: "county_total", Stage.CITY.value: "city_total"}


def deadline_of(evaluation: Evaluation) -> datetime.date | None:
    name = STATE_DEADLINE.get(evaluation.state)
    return getattr(evaluation.period, name) if name else None


def is_overdue(evaluation: Evaluation, today: datetime.date | None = None) -> bool:
    deadline = deadline_of(evaluation)
    return deadline is not None and (today or timezone.localdate()) > deadline


# ------------------------------------------------------------------------------------------------
# Cached totals of a sheet row (lists, home pages, API lists, reports)


@dataclass(frozen=True)
class Totals:
    """A sheet's cached totals and star as the user may see them (None where hidden)."""

    stages: tuple[str, ...]
    self_total: Decimal | None
    county_total: Decimal | None
    city_total: Decimal | None
    star: str  # '' while the final result is hidden from the user

    def of(self, stage: str) -> Decimal | None:
        return getattr(self, STAGE_TOTAL_FIELD[stage])

    @property
    def final(self) -> Decimal | None:
        """The latest total the user may see (city, else county, else self)."""
        for value in (self.city_total, self.county_total, self.self_total):
            if value is not None:
                return value
        return None


def totals_for(user: User, evaluation: Evaluation) -> Totals:
    stages = policy.visible_stages(user, evaluation)

    def shown(stage: str) -> Decimal | None:
        return getattr(evaluation, STAGE_TOTAL_FIELD[stage]) if stage in stages else None

    return Totals(
        stages=stages,
        self_total=shown(Stage.SELF),
        county_total=shown(Stage.COUNTY),
        city_total=shown(Stage.CITY),
        star=evaluation.star if Stage.CITY.value in stages else "",
    )


def result_for_user(user: User, evaluation: Evaluation) -> engine.Result:
    """The engine's result over the stages the user may see that have begun (hidden stages absent)."""
    stages = policy.visible_stages(user, evaluation)
    begun = {stage for (_line, stage) in selectors.line_scores(evaluation)}
    return result_for(evaluation, stages=[s for s in stages if s in begun])


def visible_transitions(user: User, evaluation: Evaluation, transitions: list[Transition]) -> list[Transition]:
    """Transitions with the comment and lines of a step by a stage hidden from the user blanked."""
    out = []
    for t in transitions:
        action = policy.ACTIONS.get(t.action)
        if action is not None and not policy.may_see_step_comment(user, evaluation, action):
            t.comment, t.lines = "", []
        out.append(t)
    return out


# ------------------------------------------------------------------------------------------------
# The sheet


@dataclass
class Cell:
    stage: str
    score: object = None
    reason: str = ""
    updated_by: str = ""
    updated_at: object = None
    scored: bool = True  # the line is scored at this stage
    editable: bool = False
    warnings: list[str] = field(default_factory=list)
    differs: bool = False  # differs from the previous stage's score
    adopted_from: str = ""  # the lower stage whose score was adopted
    adoptable: bool = False  # the user may adopt the lower stage's score here
    # Printed as is by the sheet's row template (a filter or {% url %} per cell costs, 23 rows × stages).
    label: str = ""  # the stage's name
    score_text: str = ""  # the score as the sheet prints it ("" when none)
    save_url: str = ""  # where an editable cell saves


@dataclass
class LineRow:
    line_id: str
    dom_id: str
    section_title: str
    first_in_section: bool
    content: str
    max: object
    method: str
    kind: str
    binary: bool
    suggestion: engine.Suggestion | None
    cells: list[Cell]
    returned: bool
    evidence_count: int
    revision: int
    evidence_missing: bool = False  # the period asks for evidence on this line and it has none
    is_innovation: bool = False
    error: str = ""
    entered: dict = field(default_factory=dict)  # values the user typed that were refused
    return_item: ReturnedLine | None = None  # the open return of this line (comment and answer)
    changes: list[Change] = field(default_factory=list)  # what changed since the return, old → new
    max_text: str = ""
    suggestion_head: str = ""  # 建议 3 分 / 酌情 1–2 分 / 无建议分
    suggestion_badges: list[tuple[str, str]] = field(default_factory=list)  # (css class, text)
    evidence_url: str = ""
    save_url: str = ""  # the editable cell's (the row posts its inputs there on change)


@dataclass
class Change:
    """One item changed since a return: first old value → last new value (from the audit trail)."""

    line_id: str
    what: str
    old: Any
    new: Any
    by: str
    at: Any


class Sheet:
    """Everything a page, fragment or export shows of one sheet to one user, computed once per request."""

    def __init__(
        self,
        evaluation: Evaluation,
        user: User,
        facts: dict[str, FactValue] | None = None,
        *,
        begun_only: bool = False,
        line_scores: Iterable[LineScore] | None = None,
        result: engine.Result | None = None,
    ) -> None:
        self.evaluation = evaluation
        self.user = user
        self.period = evaluation.period
        self.standard = self.period.standard.standard
        self.stages: tuple[str, ...] = policy.visible_stages(user, evaluation)
        self.facts = collect_facts(evaluation) if facts is None else facts
        # `line_scores`: the rows a save has just read and written (the fragment after an autosave).
        all_scores = (selectors.line_scores(evaluation) if line_scores is None
                      else {(ls.line_id, ls.stage): ls for ls in line_scores})
        self.scores = {key: ls for key, ls in all_scores.items() if key[1] in self.stages}
        # Hidden stages are not even evaluated: their totals, stars and errors do not exist here.
        # `begun_only`: only stages with a score entered (the compare view: "not scored yet" ≠ 0).
        evaluated = [s for s in self.stages if not begun_only or any(k[1] == s for k in self.scores)]
        # `result`: what a save has just computed, for these stages and maybe more (engine.restrict).
        if result is not None and set(evaluated) <= set(result.totals):
            self.result = engine.restrict(self.standard, result, evaluated)
        else:
            self.result = result_for(evaluation, self.facts, stages=evaluated, line_scores=all_scores.values())
        self.editable_stage = policy.user_editable_stage(user, evaluation)
        self.can_edit = self.editable_stage is not None
        self.evidence = selectors.evidence_counts(evaluation)
        self_scores = {lid: ls.score for (lid, stage), ls in self.scores.items() if stage == Stage.SELF.value}
        self.evidence_missing = frozenset(evidence_rules.missing(self.period, self_scores, self.evidence))
        self.warnings: dict[tuple[str, str], list[str]] = defaultdict(list)
        for error in self.result.errors:
            if error.code != "missing_score":
                self.warnings[(error.line, error.stage)].append(error.message)
        self.presentation = {r.line_id: r for r in table_rows(self.period.standard.data)}
        self.show_final_star = Stage.CITY.value in self.stages
        self.show_return = policy.may_see_return(user, evaluation)
        self.may_adopt = policy.may_adopt(user, evaluation)
        self.return_items: dict[str, ReturnedLine] = {}
        if self.show_return and evaluation.returned_by and evaluation.returned_lines:
            for item in selectors.open_returns(evaluation):
                self.return_items[item.line_id] = item
        self._changes: dict[str, list[Change]] | None = None
        self._save_url = url_filler("evaluations:save_line", evaluation.pk, slots=("LINEID", "STAGEID"))
        self._evidence_url = url_filler("evaluations:evidence", evaluation.pk, slots=("LINEID",))

    def changes_since_return(self) -> dict[str, list[Change]]:
        """Line id -> what changed since the open return (scores, reasons, facts feeding the line, the
        innovation text, answers excluded), first old → last new, for the stages the user may see."""
        if self._changes is not None:
            return self._changes
        self._changes = {}
        if not self.return_items:
            return self._changes
        since = min(item.revision for item in self.return_items.values())
        events = (
            AuditEvent.objects.filter(evaluation=self.evaluation, revision__gt=since,
                                      kind__in=["score", "reason", "fact", "innovation"])
            .select_related("user").order_by("at", "id")
        )
        merged: dict[tuple[str, str, str], Change] = {}
        for e in events:
            if e.stage and e.stage not in self.stages:
                continue
            if e.kind == "fact":
                targets = list(self.standard.fact_lines.get(e.field, ())) or [""]
                what = f"核查事实「{e.note or e.field}」"
            elif e.kind == "innovation":
                targets, what = [e.line_id], "创新工作文字材料"
            else:
                stage = Stage(e.stage).label if e.stage in Stage.values else ""
                targets, what = [e.line_id], f"{stage}{'得分' if e.kind == 'score' else '扣分原因'}"
            for line_id in targets:
                key = (line_id, e.kind, e.field + e.stage)
                if key in merged:
                    merged[key].new, merged[key].by, merged[key].at = e.new, str(e.user), e.at
                else:
                    merged[key] = Change(line_id, what, e.old, e.new, str(e.user), e.at)
        for change in merged.values():
            if change.old != change.new:
                self._changes.setdefault(change.line_id, []).append(change)
        return self._changes

    def adopt_scopes(self) -> list[tuple[str, str]]:
        """The adopt form's choices: the whole sheet, then each section (value, label)."""
        return [("all", "全表")] + [(f"section:{s.id}", f"{s.id} {s.title}") for s in self.standard.sections]

    @property
    def stage_columns(self) -> list[tuple[str, str]]:
        return [(stage, Stage(stage).label) for stage in self.stages]

    def row(self, line_id: str) -> LineRow:
        line = self.standard.line(line_id)
        pres = self.presentation[line_id]
        cells = []
        previous = None
        for stage in self.stages:
            ls = self.scores.get((line_id, stage))
            editable = policy.may_edit_line(self.user, self.evaluation, stage, line.scored_at(stage), line_id)
            cell = Cell(
                stage=stage,
                score=ls.score if ls else None,
                reason=ls.reason if ls else "",
                updated_by=str(ls.updated_by) if ls else "",
                updated_at=ls.updated_at if ls else None,
                scored=line.scored_at(stage),
                editable=editable,
                warnings=self.warnings.get((line_id, stage), [])
                if policy.may_see_stage_warnings(self.user, stage) else [],
                adopted_from=ls.adopted_from if ls else "",
                label=Stage(stage).label,
                score_text=format_points(ls.score) if ls else "",
                save_url=self._save_url(line_id, stage) if editable else "",
            )
            if previous is not None and cell.score is not None and previous.score is not None:
                cell.differs = cell.score != previous.score
            if editable and self.may_adopt and previous is not None and previous.score is not None:
                cell.adoptable = cell.score != previous.score
            if cell.scored:
                previous = cell
            cells.append(cell)
        return LineRow(
            line_id=line_id,
            dom_id="line-" + line_id.replace(".", "-"),
            section_title=pres.section_title,
            first_in_section=pres.section_rowspan > 0,
            content=pres.content,
            max=line.max,
            method=line.method,
            kind=line.kind,
            binary=line.binary,
            suggestion=self.result.suggestions.get(line_id),
            cells=cells,
            returned=self.show_return and line_id in (self.evaluation.returned_lines or []),
            evidence_count=self.evidence.get(line_id, 0),
            evidence_missing=line_id in self.evidence_missing,
            revision=self.evaluation.revision,
            is_innovation=line_id == self.standard.innovation_line,
            return_item=self.return_items.get(line_id),
            changes=self.changes_since_return().get(line_id, []),
            max_text=format_points(line.max),
            suggestion_head=self._suggestion_head(suggestion := self.result.suggestions.get(line_id)),
            suggestion_badges=[badge for flag, badge in SUGGESTION_BADGES.items()
                               if suggestion is not None and flag in suggestion.flags],
            evidence_url=self._evidence_url(line_id),
            save_url=next((c.save_url for c in cells if c.editable), ""),
        )

    @staticmethod
    def _suggestion_head(suggestion: engine.Suggestion | None) -> str:
        if suggestion is None:
            return ""
        if suggestion.score is not None:
            return f"建议 {format_points(suggestion.score)} 分"
        if suggestion.bounds:
            low, high = suggestion.bounds
            return f"酌情 {format_points(low)}–{format_points(high)} 分"
        return "无建议分"

    def rows(self) -> list[LineRow]:
        return [self.row(line.id) for line in self.standard.lines]

    def totals(self) -> list[dict[str, Any]]:
        out = []
        for stage in self.stages:
            out.append({
                "stage": stage, "label": Stage(stage).label,
                "total": self.result.totals.get(stage),
                "max": self.result.stage_max.get(stage) or self.standard.stage_max(stage),
                "star": self.result.stars.get(stage),
                "count": sum(1 for (lid, s), v in self.scores.items() if s == stage and v.score is not None),
                "lines": len(self.standard.stage_lines(stage)),
            })
        return out

    @property
    def final_star(self) -> str | None:
        return self.result.star if self.show_final_star else None

    def fact_rows(self) -> list[dict[str, Any]]:
        checklist = set(checklist_fact_names(self.standard))
        answers = checklist_answers(self.evaluation)
        editable = policy.may_edit_facts(self.user, self.evaluation)
        save_url = url_filler("evaluations:save_fact", self.evaluation.pk, slots=("FACTNAME",))
        rows = []
        for name, fact in self.standard.facts.items():
            fv = self.facts.get(name)
            answer = answers.get(name)
            corrected = answer is not None and name in checklist and answer.corrected
            rows.append({
                "name": name, "label": fact.label, "type": fact.type,
                "value": fv.value if fv else None,
                "source": fv.label if fv else "",
                "from_checklist": name in checklist,
                "editable": (may_edit := editable and name in checklist
                             and policy.may_edit_facts(self.user, self.evaluation, name)),
                "save_url": save_url(name) if may_edit else "",
                # The community's declaration, kept beside a reviewer's correction.
                "corrected": corrected,
                "declared_value": answer.declared_value if corrected and answer else None,
                "declared_by": str(answer.declared_by) if corrected and answer else "",
                "declared_at": answer.declared_at if corrected and answer else None,
                "answered_by": str(answer.answered_by) if answer and name in checklist else fv.answered_by if fv else "",
                "answered_at": answer.answered_at if answer and name in checklist else fv.answered_at if fv else None,
                "drill_url": fv.drill_url if fv else None,
                "definition": fv.extra.get("definition", "") if fv else "",
                "revision": self.evaluation.revision,
                "lines": (lines := list(self.standard.fact_lines.get(name, ()))),
                "lines_text": "、".join(lines),
            })
        # Checklist order follows the sheet: by the first line a fact feeds, then the data file's order.
        line_pos = {line.id: i for i, line in enumerate(self.standard.lines)}
        raw_order = {name: i for i, name in enumerate(self.standard.raw.get("facts", {}))}
        rows.sort(key=lambda r: (min((line_pos[lid] for lid in r["lines"]), default=99), raw_order.get(r["name"], 99)))
        return rows

    def transitions(self, limit: int = 20) -> list[Transition]:
        items = list(self.evaluation.transitions.select_related("user").order_by("-at", "-id")[:limit])
        return visible_transitions(self.user, self.evaluation, items)

    def context(self) -> dict[str, Any]:
        ev = self.evaluation
        return {
            "evaluation": ev, "sheet": self, "period": self.period, "standard": self.standard,
            "result": self.result, "totals": self.totals(), "editable_stage": self.editable_stage,
            "can_edit": self.can_edit, "state_badge": STATE_BADGE.get(ev.state, "secondary"),
            "deadline": deadline_of(ev), "overdue": is_overdue(ev),
            # Called by the page's header only (a save's fragment may come from a read without them).
            "community": ev.community, "street": lambda: ev.community.parent,
            "county": lambda: ev.community.parent.parent if ev.community.parent else None,
            "stage_columns": self.stage_columns, "show_final_star": self.show_final_star,
            "show_return": self.show_return,
        }


# ------------------------------------------------------------------------------------------------
# Compare


@dataclass
class CompareCell:
    score: Any
    reason: str
    differs: bool  # county differs from self, or city from county
    adopted_from: str = ""  # the lower stage whose score was adopted ('' when typed)


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
    cells: dict[str, CompareCell | None]
    any_diff: bool
    cell_list: list[tuple[str, CompareCell | None, bool]]


def compare_rows(evaluation: Evaluation, stages: tuple[str, ...] | list[str], result: engine.Result) -> list[CompareRow]:
    scores = {key: ls for key, ls in selectors.line_scores(evaluation).items() if key[1] in stages}
    entered: dict[tuple[str, str], tuple[Any, str]] = {key: (ls.score, ls.reason) for key, ls in scores.items()}
    previous_stage = {Stage.COUNTY: Stage.SELF, Stage.CITY: Stage.COUNTY}
    rows = []
    for row in table_rows(evaluation.period.standard.data):
        cells: dict[str, CompareCell | None] = {}
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
            adopted = scores[(row.line_id, stage)].adopted_from if (row.line_id, stage) in scores else ""
            cells[stage] = CompareCell(score=score, reason=reason, differs=differs, adopted_from=adopted)
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


def compare_summary(sheet: Sheet) -> list[dict[str, Any]]:
    result, standard = sheet.result, sheet.standard
    return [
        {
            "stage": stage,
            "label": standard.stage_label(stage),
            "visible": stage in sheet.stages,
            "total": result.totals.get(stage) if stage in sheet.stages else None,
            "max": result.stage_max.get(stage, standard.stage_max(stage)),
            "star": result.stars.get(stage) if stage in sheet.stages else None,
            "missing": sum(1 for e in result.errors if e.stage == stage and e.code == "missing_score"),
            "errors": [e for e in result.errors if e.stage == stage and e.code != "missing_score"],
        }
        for stage in Stage.values
    ]


# ------------------------------------------------------------------------------------------------
# History (pages and API)


def visible_events(user: User, evaluation: Evaluation, events: list[AuditEvent]) -> list[AuditEvent]:
    """Audit events the user may see: none of a hidden stage; a state change by a hidden stage keeps
    the change but not its comment."""
    stages = policy.visible_stages(user, evaluation)
    hidden_labels = {
        a.label for a in policy.ACTIONS.values() if not policy.may_see_step_comment(user, evaluation, a)
    }
    out = []
    for e in events:
        if e.stage and e.stage not in stages:
            continue
        if e.kind == "state" and e.note.split("：", 1)[0] in hidden_labels:
            e.note = e.note.split("：", 1)[0]
        out.append(e)
    return out
