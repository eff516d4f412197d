from decimal import Decimal

from django import template

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
    """3, 2.5 — never 3.00."""
    if value is None or value == "":
        return ""
    d = Decimal(str(value))
    return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")


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
