"""Writing the sheet's audit trail. Every service that changes a sheet calls `record`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .models import AuditEvent, Evaluation


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def record(
    evaluation: Evaluation,
    user,
    kind: str,
    *,
    line_id: str = "",
    stage: str = "",
    field: str = "",
    old: Any = None,
    new: Any = None,
    note: str = "",
    revision: int | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        evaluation=evaluation,
        user=user,
        kind=kind,
        line_id=line_id,
        stage=stage,
        field=field,
        old=_jsonable(old),
        new=_jsonable(new),
        note=note,
        revision=revision if revision is not None else evaluation.revision,
    )
