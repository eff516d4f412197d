"""``manage.py score FILE.json``: score one community from facts and stage scores, print JSON.

Malformed input exits with code 2 and a one-line message on stderr naming what is wrong; a
well-formed input whose scores break the rules exits 0 and lists the problems under "errors".
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError

from standards import engine
from standards.models import StandardVersion

TOP_LEVEL_KEYS = ("standard", "facts", "scores", "reasons", "star_bands")


def _fail(message: str) -> NoReturn:
    # Django prints "CommandError: <message>" on stderr and exits with returncode; keep it one line.
    raise CommandError(" ".join(str(message).split()), returncode=2)


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"不支持的数值 {name}")


def _parse(text: str) -> Any:
    try:
        # Decimal keeps 0.1 as 0.1, so a score step check never trips on binary floats.
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except ValueError as exc:
        _fail(f"输入不是合法的 JSON：{exc}")


def _check_shape(data: Any) -> None:
    if not isinstance(data, dict):
        _fail('输入必须是 JSON 对象，如 {"facts": {...}, "scores": {...}}')
    unknown = [key for key in data if key not in TOP_LEVEL_KEYS]
    if unknown:
        _fail(f"未知的顶层键：{'、'.join(unknown)}（只能是 {'、'.join(TOP_LEVEL_KEYS)}）")
    if "facts" not in data:
        _fail("缺少 facts（社区事实）")
    if not isinstance(data["facts"], dict):
        _fail("facts 必须是对象")
    if data.get("standard") is not None and not isinstance(data["standard"], str):
        _fail('standard 必须是版本号文字，如 "v1"')
    for key in ("scores", "reasons"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            _fail(f"{key} 必须是以评审阶段为键的对象")
    if data.get("star_bands") is not None and not isinstance(data["star_bands"], list):
        _fail('star_bands 必须是列表，如 [{"name": "五星", "min": 95}]')


def _check_stages(data: dict[str, Any], stage_ids: tuple[str, ...]) -> None:
    known = "、".join(stage_ids)
    for key in ("scores", "reasons"):
        for stage, entries in (data.get(key) or {}).items():
            if stage not in stage_ids:
                _fail(f"{key}.{stage}：未知的评审阶段，只能是 {known}")
            if key == "reasons" and stage not in engine.REASON_STAGES:
                _fail(
                    f"reasons.{stage}：该阶段没有扣分原因栏（只有 {'、'.join(sorted(engine.REASON_STAGES))}）"
                )
            if not isinstance(entries, dict):
                _fail(f"{key}.{stage} 必须是以行编号为键的对象")
            for line_id, value in entries.items():
                if key == "scores":
                    ok = value is None or (isinstance(value, int | Decimal) and not isinstance(value, bool))
                    if not ok:
                        _fail(
                            f"scores.{stage}.{line_id}：得分必须是数字，实际为 {json.dumps(value, ensure_ascii=False)}"
                        )
                elif value is not None and not isinstance(value, str):
                    _fail(f"reasons.{stage}.{line_id}：扣分原因必须是文字")


class Command(BaseCommand):
    help = "Score one community: reads {facts, scores, reasons, star_bands} JSON from FILE (or - for stdin)."
    # Lets tests pass stdin=io.StringIO(...) through call_command.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="input JSON file, or - to read standard input")

    def _read(self, source: str, stdin: Any) -> str:
        if source == "-":
            return (stdin or sys.stdin).read()
        try:
            return Path(source).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"无法读取输入文件 {source}：{exc}")

    def handle(self, *args: Any, **options: Any) -> None:
        data = _parse(self._read(options["file"], options.get("stdin")))
        _check_shape(data)
        version = data.get("standard")
        try:
            standard = StandardVersion.objects.get_standard(version)
        except StandardVersion.DoesNotExist:
            if version is None:
                _fail("尚未加载评审标准，请先运行 manage.py loadstandard")
            _fail(f"未知的标准版本：{version}")
        _check_stages(data, standard.stage_ids)
        try:
            result = engine.evaluate(
                standard,
                data["facts"],
                data.get("scores") or {},
                reasons=data.get("reasons") or {},
                star_bands=data.get("star_bands"),
            )
        except ValueError as exc:  # FactsError, InputError: bad fact names/types, bad star bands
            _fail(str(exc))
        output = engine.result_to_json(result)
        output = {"standard": standard.version, **output}
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
