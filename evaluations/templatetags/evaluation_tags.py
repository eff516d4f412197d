import re
from typing import Any

from django import template
from django.utils.safestring import SafeString

from evaluations.models import Stage
from evaluations.rendering import sheet_part
from standards.numbers import format_points

register = template.Library()


@register.filter
def split(value: str) -> list[str]:
    return str(value).split()


@register.filter
def total_of(totals, stage: str):
    """A presenters.Totals' total of one stage (None where hidden)."""
    return totals.of(stage) if totals is not None else None


@register.filter
def points(value) -> str:
    """3, 2.5 — never 3.00 (standards.numbers.format_points, shared with the exports)."""
    return format_points(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def fact_display(value) -> str:
    if value is None:
        return "未填"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return points(value)


@register.filter
def line_dom_id(line_id: str) -> str:
    return "line-" + str(line_id).replace(".", "-")


STAGE_LABELS = dict(Stage.choices)


@register.filter
def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(str(stage), "")


_LINE_IN_MESSAGE = re.compile(r"第\s*([0-9]+(?:\.[0-9]+)*)\s*行")


@register.filter
def line_anchor(message: str) -> str:
    """The sheet row a problem message names ("第 3.2.1 行…" -> "line-3-2-1"), or "" (the row's dom_id)."""
    found = _LINE_IN_MESSAGE.search(str(message))
    return "line-" + found.group(1).replace(".", "-") if found else ""


@register.simple_tag
def section_progress(rows, editable_stage=None) -> list[dict]:
    """Per section of the sheet: its title, anchor, and how many of its lines have a score in the stage
    being filled (else the latest stage the user sees), for the section navigator."""
    sections: list[dict] = []
    for row in rows:
        if row.first_in_section or not sections:
            sections.append({"title": row.section_title, "anchor": "sec-" + row.dom_id, "done": 0, "total": 0,
                             "returned": 0})
        section = sections[-1]
        cells = [c for c in row.cells if c.scored]
        if editable_stage:
            cells = [c for c in cells if c.stage == editable_stage]
        elif cells:
            cells = cells[-1:]
        if cells:
            section["total"] += 1
            if cells[0].score is not None:
                section["done"] += 1
        if row.returned:
            section["returned"] += 1
    for section in sections:
        section["short"] = section["title"].split("（")[0].split("\n")[0]
        section["complete"] = section["total"] > 0 and section["done"] == section["total"]
    return sections


@register.filter
def change_display(value) -> str:
    """An audit value in an "old → new" line: 空 for nothing, 是/否, points, long text shortened."""
    if value is None or value == "":
        return "空"
    if value is True:
        return "是"
    if value is False:
        return "否"
    text = format_points(value)
    return text if len(text) <= 40 else text[:39] + "…"


# The sheet's parts rendered by Jinja2 (evaluations.rendering).


def _part(context: template.Context, part: str, **values: Any) -> SafeString:
    request = context.get("request")
    return sheet_part(context.get, request.user if request is not None else None, part, **values)


@register.simple_tag(takes_context=True)
def sheet_line_rows(context: template.Context, rows: list) -> SafeString:
    return _part(context, "lines", rows=rows)


@register.simple_tag(takes_context=True)
def sheet_fact_rows(context: template.Context, facts: list) -> SafeString:
    return _part(context, "facts", facts=facts)


@register.simple_tag(takes_context=True)
def sheet_totals(context: template.Context) -> SafeString:
    return _part(context, "totals")


@register.simple_tag(takes_context=True)
def sheet_status(context: template.Context) -> SafeString:
    return _part(context, "status")
