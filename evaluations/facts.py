"""The facts of one evaluation: computed by providers (ledgers) where they exist, else the checklist.

Providers register at app start-up, so this app does not import the ledgers app.

Computing the ledger facts costs a handful of queries, so one request computes them at most once
per sheet: `FactsMemoMiddleware` opens a memo that lives for the request only (never across
requests, so it cannot go stale between them). Within the request, every write that changes facts
(a checklist answer, a snapshot refresh, a ledger write) calls `forget_facts()`; a state change
starts a new key (live ledgers in draft, the snapshot afterwards).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from .models import Evaluation, FactAnswer


@dataclass(frozen=True)
class FactValue:
    name: str
    value: Any
    source: str  # "ledger" | "snapshot" | "checklist"
    label: str = ""  # where it came from, for people: "台帐（提交时快照）"
    drill_url: str | None = None  # the records behind the number
    answered_by: str = ""
    answered_at: Any = None
    extra: dict = field(default_factory=dict)


# A provider returns the facts it can compute for an evaluation (name -> FactValue).
Provider = Callable[[Evaluation], dict[str, FactValue]]
_providers: list[Provider] = []
# Names of facts that some provider computes, so the checklist does not ask for them.
_provided_names: set[str] = set()


def register_provider(provider: Provider, names: set[str] | frozenset[str]) -> None:
    if provider not in _providers:
        _providers.append(provider)
    _provided_names.update(names)


def provided_fact_names() -> frozenset[str]:
    return frozenset(_provided_names)


def checklist_fact_names(standard) -> list[str]:
    """Facts the community answers by hand: every fact of the standard no provider computes."""
    return [name for name in standard.facts if name not in _provided_names]


# (sheet id, state) -> its facts; (sheet id, "answers") -> its checklist answers (the page lists them too).
_memo: ContextVar[dict[tuple[int, str], dict[str, Any]] | None] = ContextVar("facts_memo", default=None)


@contextmanager
def facts_memo() -> Iterator[None]:
    """Remember collected facts until the block ends (one request, one job)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def forget_facts() -> None:
    """Facts may have changed (a write in this request): the next read computes them again."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


class FactsMemoMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with facts_memo():
            return self.get_response(request)


def collect_facts(evaluation: Evaluation) -> dict[str, FactValue]:
    memo = _memo.get()
    key = (evaluation.pk, evaluation.state)
    if memo is not None and key in memo:
        return dict(memo[key])
    facts = _collect(evaluation)
    if memo is not None:
        memo[key] = dict(facts)
    return facts


def checklist_answers(evaluation: Evaluation) -> dict[str, FactAnswer]:
    """The sheet's checklist answers (name -> answer): read once per request, as its facts are."""
    memo = _memo.get()
    key = (evaluation.pk, "answers")
    if memo is not None and key in memo:
        return dict(memo[key])
    answers = {a.name: a for a in FactAnswer.objects.filter(evaluation=evaluation)
               .select_related("answered_by", "declared_by")}
    if memo is not None:
        memo[key] = dict(answers)
    return answers


def _collect(evaluation: Evaluation) -> dict[str, FactValue]:
    facts: dict[str, FactValue] = {}
    for answer in checklist_answers(evaluation).values():
        if answer.name in _provided_names or answer.value is None:
            continue
        facts[answer.name] = FactValue(
            name=answer.name,
            value=answer.value,
            source="checklist",
            label="核查清单",
            answered_by=str(answer.answered_by),
            answered_at=answer.answered_at,
        )
    for provider in _providers:
        facts.update(provider(evaluation))
    return facts


def fact_values(evaluation: Evaluation) -> dict[str, Any]:
    return {name: fv.value for name, fv in collect_facts(evaluation).items()}


def fact_listing(evaluation: Evaluation, facts: dict[str, FactValue] | None = None) -> list[dict[str, Any]]:
    """Every fact of the sheet's standard with its value, where it came from, how it is counted and the
    lines it feeds — the one listing behind the facts page, the API and the sheet's checklist."""
    standard = evaluation.period.standard.standard
    if facts is None:
        facts = collect_facts(evaluation)
    on_checklist = set(checklist_fact_names(standard))
    rows = []
    for name, fdef in standard.facts.items():
        fv = facts.get(name)
        rows.append({
            "name": name,
            "label": fdef.label,
            "type": fdef.type,
            "value": fv.value if fv else None,
            "source": fv.source if fv else None,
            "source_label": fv.label if fv else "未填写",
            "checklist": name in on_checklist,
            "answered_by": fv.answered_by if fv else "",
            "answered_at": fv.answered_at if fv else None,
            "drill_url": fv.drill_url if fv else None,
            "definition": fv.extra.get("definition", "") if fv else "",
            "lines": list(standard.fact_lines.get(name, ())),
        })
    return rows
