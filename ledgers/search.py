"""Search text never travels in a URL: list search forms POST, the text is kept in the session.

A search by ID number, phone or name in a query string ends up in access logs, proxy logs and the
browser history. The search forms of the ledger lists therefore POST; the view stores the text in the
session under a random token and redirects (303) to the list with `?s=<token>` and the other filters,
so paging and bookmarks within the session keep working. A plain `?q=` still works for links typed
by hand (and the log filter masks ID numbers in it), but no page produces one.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

SESSION_KEY = "ledger_search_terms"
TOKEN_PARAM = "s"
MAX_TERMS = 30
MAX_LENGTH = 100


class SeeOther(HttpResponseRedirect):
    status_code = 303


def search_redirect(request: HttpRequest, url_name: str) -> HttpResponse:
    """The POSTed search form as a GET URL carrying a token instead of the text."""
    params = request.POST.copy()
    for name in ("csrfmiddlewaretoken", "page", TOKEN_PARAM):
        params.pop(name, None)
    text = (params.pop("q", None) or [""])[-1].replace("\x00", "").strip()[:MAX_LENGTH]
    if text:
        terms: dict[str, str] = dict(request.session.get(SESSION_KEY, {}))
        token = next((k for k, v in terms.items() if v == text), None) or secrets.token_urlsafe(8)
        terms.pop(token, None)
        terms[token] = text
        request.session[SESSION_KEY] = dict(list(terms.items())[-MAX_TERMS:])
        params[TOKEN_PARAM] = token
    query = {k: v for k, v in params.items() if v}
    from urllib.parse import urlencode

    return SeeOther(reverse(url_name) + ("?" + urlencode(query) if query else ""))


def search_text(request: HttpRequest) -> str:
    """The search text of a list request: from the session token, else from a hand-typed ?q=."""
    token = request.GET.get(TOKEN_PARAM)
    if token:
        return request.session.get(SESSION_KEY, {}).get(token, "")
    return request.GET.get("q", "").replace("\x00", "").strip()[:MAX_LENGTH]  # no NUL: PostgreSQL refuses it


def push_url(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """htmx followed the redirect: show the token URL (never the text) in the address bar."""
    if getattr(request, "htmx", False):
        response["HX-Push-Url"] = request.get_full_path()
    return response
