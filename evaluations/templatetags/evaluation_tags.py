from django import template

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


STAGE_LABELS = {"self": "社区自评", "county": "县级审核", "city": "市级复核"}


@register.filter
def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(str(stage), "")


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
