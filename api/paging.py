"""limit/offset paging with the total count, one shape for every list."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.db import models
from ninja import Field, Schema

T = TypeVar("T")

MAX_LIMIT = 200


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="每页条数（1–200）")
    offset: int = Field(0, ge=0, le=10_000_000, description="跳过的条数")


class Page(Schema, Generic[T]):
    total: int
    limit: int
    offset: int
    items: list[T]


def paginate(
    queryset: models.QuerySet | list, params: PageParams, serialize: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    if isinstance(queryset, list):
        total = len(queryset)
    else:
        total = queryset.count()
    window: Iterable = queryset[params.offset : params.offset + params.limit]
    items = [serialize(obj) for obj in window] if serialize else list(window)
    return {"total": total, "limit": params.limit, "offset": params.offset, "items": items}
