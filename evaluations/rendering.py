"""The sheet's parts rendered by Jinja2 (evaluations/jinja2/evaluations/sheet_parts.jinja; config/jinja2.py
says why): the line rows, the fact rows, the totals card and the status box. The sheet page reaches them
through the tags in evaluation_tags; a save's answer renders them here directly, without a Django
template (an autosave answers with a row, the totals and the status only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template import engines
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

# What the parts read from the page's context, with the value when the page has none.
CONTEXT = {
    "evaluation": None, "period": None, "result": None, "totals": (), "show_final_star": False,
    "show_return": False, "oob": False, "notice": "", "fact_error": "",
    # Set by the verification panel rendered above the rows on the sheet page (verification_tags).
    "verification_lines": None,
}


def sheet_part(get: Callable[[str, Any], Any], user: Any, part: str, **values: Any) -> SafeString:
    """Render `part` (lines, line, line_fragment, facts, fact, totals, status) with the context values
    read by `get(name, default)` (a page's template context or a dict's get)."""
    data = {name: get(name, default) for name, default in CONTEXT.items()}
    evaluation = data["evaluation"]
    data.update(user=user, part=part, adopt_url=reverse("evaluations:adopt", args=[evaluation.pk]), **values)
    data["verification_lines"] = data["verification_lines"] or {}
    # Jinja2 escapes every value (autoescape on); what it returns is the parts' safe HTML.
    return mark_safe(engines["jinja2"].get_template("evaluations/sheet_parts.jinja").render(data))
