"""Versions of the standard, stored as the validated data file they were loaded from."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from . import schema


@lru_cache(maxsize=32)
def _parse_cached(sha256: str, payload: str) -> schema.Standard:
    from . import schema

    return schema.parse_standard(json.loads(payload))


class StandardVersionManager(models.Manager):
    def current(self) -> StandardVersion:
        obj = self.filter(is_current=True).order_by("-loaded_at").first()
        if obj is None:
            raise self.model.DoesNotExist("尚未加载评审标准，请先运行 manage.py loadstandard")
        return obj

    def get_standard(self, version: str | None = None) -> schema.Standard:
        obj = self.current() if version is None else self.get(version=version)
        return obj.standard


class StandardVersion(models.Model):
    version = models.CharField("版本", max_length=32, unique=True)
    title = models.CharField("名称", max_length=200)
    data = models.JSONField("标准数据")
    sha256 = models.CharField(max_length=64)
    is_current = models.BooleanField("当前版本", default=False)
    loaded_at = models.DateTimeField("加载时间", auto_now=True)

    objects = StandardVersionManager()

    class Meta:
        verbose_name = "评审标准版本"
        verbose_name_plural = "评审标准版本"
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"

    @staticmethod
    def digest(data: dict) -> str:
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    @property
    def standard(self) -> schema.Standard:
        # Parsed once per instance (a sheet's page asks a dozen times), again when `data` or the digest is
        # replaced; the parse itself is shared by every instance with the same content.
        cached = self.__dict__.get("_parsed_standard")
        if cached is not None and cached[0] is self.data and cached[1] == self.sha256:
            return cached[2]
        parsed = _parse_cached(self.sha256, json.dumps(self.data, ensure_ascii=False, sort_keys=True))
        self.__dict__["_parsed_standard"] = (self.data, self.sha256, parsed)
        return parsed

    @property
    def in_use(self) -> bool:
        # A version referenced by an evaluation period is frozen.
        return self.periods.exists() if hasattr(self, "periods") else False
