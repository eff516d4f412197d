"""The facts of one evaluation: computed by providers (ledgers) where they exist, else the checklist.

Providers register at app start-up, so this app does not import the ledgers app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import Evaluation


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


def collect_facts(evaluation: Evaluation) -> dict[str, FactValue]:
    facts: dict[str, FactValue] = {}
    for answer in evaluation.fact_answers.select_related("answered_by").all():
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
