from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def optional_url(name: str, *args) -> str:
    """The URL, or '' while the page that serves it does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


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
