"""The sampling and checking report (per community, per county) and the reconciliation workbook.

Spreadsheets go through `reports.cells` (formula injection neutralised); documents through python-docx.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Any

from openpyxl import Workbook

from evaluations.models import Period
from orgs.models import Unit, User
from orgs.scoping import can
from reports.cells import save_workbook, xlsx_value

from .kinds import KINDS
from .models import Check, Draw, Method, Outcome, Result
from .reference import masked, reconcile_all
from .risk import flags_for
from .selectors import with_records

DRAW_HEAD = ["社区", "台帐", "候选记录数", "抽取数量", "加权", "随机种子", "抽样人", "抽样时间", "重抽原因", "状态"]
CHECK_HEAD = ["社区", "台帐", "序号", "记录", "核查方式", "核查结果", "不符项", "核实的正确值", "核查情况", "照片",
              "核查人", "核查时间", "处理"]


def _draws(communities: list[Unit], period: Period) -> list[Draw]:
    return list(Draw.objects.filter(community__in=communities, period=period).select_related(
        "community", "drawn_by", "replaced_by").order_by("community__code", "kind", "drawn_at", "id"))


def _checks(communities: list[Unit], period: Period) -> list[Check]:
    return with_records(list(Check.objects.filter(draw__community__in=communities, draw__period=period)
                             .select_related("draw__community", "checked_by")
                             .order_by("draw__community__code", "kind", "draw_id", "position")))


def draw_row(d: Draw) -> list[Any]:
    replaced = getattr(d, "replaced_by", None)
    return [d.community.name, KINDS[d.kind].label, d.candidates, d.size, "是" if d.weighted else "否", str(d.seed),
            str(d.drawn_by), d.drawn_at.strftime("%Y-%m-%d %H:%M"), d.reason, "已被重抽替代" if replaced else "有效"]


def check_row(c: Check) -> list[Any]:
    return [c.draw.community.name, KINDS[c.kind].label, c.position, c.description,  # type: ignore[attr-defined]
            Method(c.method).label if c.method else "", Result(c.result).label if c.result else "待核查",
            c.field_label, c.correct_value, c.notes, "有" if c.photo else "",  # type: ignore[attr-defined]
            str(c.checked_by or ""), c.checked_at.strftime("%Y-%m-%d %H:%M") if c.checked_at else "",
            Outcome(c.outcome).label if c.outcome else ""]


def summary_rows(communities: list[Unit], period: Period, checks: list[Check]) -> list[list[Any]]:
    flags = flags_for([c.pk for c in communities], period.year, period.self_deadline)
    rows = []
    for unit in communities:
        mine = [c for c in checks if c.draw.community_id == unit.pk]
        done = [c for c in mine if c.result]
        rows.append([unit.full_name, len(mine), len(done),
                     sum(c.result == Result.CONFIRMED for c in done), sum(c.result == Result.DIFFERS for c in done),
                     sum(c.result == Result.UNREACHABLE for c in done), sum(c.outcome == Outcome.CORRECTED for c in mine),
                     sum(c.outcome == Outcome.INVALID for c in mine), len(flags.get(unit.pk, [])),
                     "；".join(f.title for f in flags.get(unit.pk, []))])
    return rows


SUMMARY_HEAD = ["社区", "抽取记录", "已核查", "属实", "不符", "无法联系", "已更正", "认定无效", "风险提示数", "风险提示"]


def _sheet(wb: Workbook, title: str, head: list[str], rows: Iterable[list[Any]], first: bool = False) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append([xlsx_value(h) for h in head])
    for row in rows:
        ws.append([xlsx_value(v) for v in row])


def sampling_workbook(communities: list[Unit], period: Period, fp: IO[bytes]) -> None:
    checks = _checks(communities, period)
    wb = Workbook()
    _sheet(wb, "汇总", SUMMARY_HEAD, summary_rows(communities, period, checks), first=True)
    _sheet(wb, "抽样", DRAW_HEAD, (draw_row(d) for d in _draws(communities, period)))
    _sheet(wb, "核查", CHECK_HEAD, (check_row(c) for c in checks))
    save_workbook(wb, fp)


def sampling_document(communities: list[Unit], period: Period, title: str, fp: IO[bytes]) -> None:
    from docx import Document

    checks = _checks(communities, period)
    doc = Document()
    doc.add_heading(f"{title} {period.year}年度台帐抽查核实报告", level=1)
    doc.add_paragraph("本报告列出抽取了哪些台帐记录（随机种子可复现抽样）、核查方式与结果，以及对不符记录的处理。")
    for heading, head, rows in [
        ("一、汇总", SUMMARY_HEAD, summary_rows(communities, period, checks)),
        ("二、抽样", DRAW_HEAD, [draw_row(d) for d in _draws(communities, period)]),
        ("三、核查结果", CHECK_HEAD, [check_row(c) for c in checks]),
    ]:
        doc.add_heading(heading, level=2)
        table = doc.add_table(rows=1, cols=len(head))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, head, strict=True):
            cell.text = text
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = str(value)
        if not rows:
            doc.add_paragraph("（无）")
    doc.save(fp)


RECON_HEAD = ["社区", "名单", "名单日期", "差异类型", "身份证号", "姓名", "台帐", "参考名单", "其他社区"]


def reconciliation_workbook(communities: list[Unit], user: User, fp: IO[bytes],
                            progress: Callable[[int], None] | None = None) -> None:
    unmask = can(user, "unmask")
    wb = Workbook()
    summary: list[list[Any]] = []
    detail: list[list[Any]] = []
    for i, unit in enumerate(communities, start=1):
        for rec in reconcile_all(unit):
            if rec.reference is None:
                continue
            summary.append([unit.full_name, rec.label, f"{rec.reference.as_of:%Y-%m-%d}"]
                           + [len(items) for _, _, items in rec.sections])
            for _, label, items in rec.sections:
                for e in items:
                    m = masked(e, unmask)
                    detail.append([unit.full_name, rec.label, f"{rec.reference.as_of:%Y-%m-%d}", label, m["id"],
                                   m["name"], m["ledger"], m["reference"], m["other"]])
        if progress:
            progress(i)
    _sheet(wb, "汇总", ["社区", "名单", "名单日期", "参考名单有、台帐没有", "台帐有、参考名单没有", "状态不一致",
                      "日期或证号不一致", "被两个社区重复计入"], summary, first=True)
    _sheet(wb, "明细", RECON_HEAD, detail)
    save_workbook(wb, fp)
