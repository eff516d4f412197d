"""The Jinja2 environment of the sheet's repeated parts (evaluations/jinja2/evaluations/sheet_parts.jinja).

Every other page is a Django template. The sheet's 23 line rows and ~30 fact rows are rendered on every
view of a sheet and every autosave; in Django's template language they cost ~25 ms a page (≈100 variable
lookups a row), in Jinja2 a tenth of it. The filters are the Django templates' own functions, so both
print a value the same way.
"""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import date as django_date
from django.utils.timezone import template_localtime
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from evaluations.templatetags.evaluation_tags import change_display, fact_display, points, stage_label
from register.templatetags.register_tags import baseline_cell


def date(value: Any, arg: str) -> str:
    """Django's `date` filter, in the current time zone as Django templates print it."""
    return django_date(template_localtime(value), arg)


@pass_context
def sheet_baseline_cell(context: Context, row: Any) -> str:
    return baseline_cell(context.get("evaluation"), context.get("user"), row)


def environment(**options: Any) -> Environment:
    env = Environment(**options)
    env.filters.update({
        "points": points, "fact_display": fact_display, "change_display": change_display,
        "stage_label": stage_label, "date": date,
    })
    env.globals.update({"baseline_cell": sheet_baseline_cell})
    return env
