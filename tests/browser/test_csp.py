"""Issue 11.12: the Content-Security-Policy holds on the main pages of every role: no violation, no
console error (inline scripts and handlers moved to static files; htmx without eval)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login
from tests.browser.test_dashboards import scored  # noqa: F401 (fixture)
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every securitypolicyviolation event of every document (injected by the browser driver,
# not by the page, so the policy does not block it).
WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""

COMMON = ["/", "/evaluations/", "/ledgers/", "/ledgers/persons/", "/ledgers/households/", "/reports/",
          "/reports/dashboard/progress/?period=2025", "/standard/", "/accounts/password/"]
TOKENS = "/api/tokens/manage/"  # every role but street viewers, who hold no API token
BY_ROLE = {
    "city_admin": ["/orgs/", "/orgs/users/", "/evaluations/periods/", "/ledgers/duplicates/", "/api/docs", TOKENS],
    "city_reviewer": ["/ledgers/duplicates/", TOKENS],
    "county_reviewer": ["/ledgers/duplicates/", TOKENS],
    "street_viewer": [],
    "operator": ["/ledgers/import/", TOKENS],
}


def visit_all(page, urls: list[str]) -> list[str]:
    problems = []
    for url in urls:
        response = page.goto(page.live_url + url)
        page.wait_for_load_state("networkidle")
        assert response is not None and response.status < 400, (url, response and response.status)
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), url
        violations = page.evaluate("window.__cspViolations || []")
        problems += [f"{url}: {v}" for v in violations]
        problems += [f"{url}: console {e}" for e in page.console_errors]
        page.console_errors.clear()
    return problems


@pytest.mark.parametrize("role", list(BY_ROLE))
def test_no_csp_violation_on_the_main_pages(page, cast, scored, role):  # noqa: F811
    from evaluations.models import Evaluation
    from tests.ledgers import factories as f

    person = f.person(cast.community, name="测试人")
    user = {"city_admin": cast.city_admin, "city_reviewer": cast.city_reviewer,
            "county_reviewer": cast.county_reviewer, "street_viewer": cast.street_viewer,
            "operator": cast.operator}[role]
    page.set_default_timeout(60_000)  # many pages on a shared, busy machine
    page.add_init_script(WATCH)
    login(page, user.username, PASSWORD)
    urls = list(COMMON) + BY_ROLE[role]
    evaluation = Evaluation.objects.filter(community=cast.community).first()
    urls += [f"/evaluations/{evaluation.pk}/", f"/reports/form/{evaluation.pk}/print/",
             f"/ledgers/persons/{person.pk}/"]
    if role == "city_admin":
        urls.append(f"/orgs/users/{cast.operator.pk}/")
    problems = visit_all(page, urls)
    assert not problems, problems


def test_moved_handlers_still_work(page, cast, scored):  # noqa: F811
    """The confirm dialogs, the search (htmx, POST) and the print button run from static JS."""
    from tests.ledgers import factories as f

    p = f.person(cast.community, name="测试人")
    page.set_default_timeout(60_000)
    page.add_init_script(WATCH)
    login(page, cast.city_admin.username, PASSWORD)
    page.goto(f"{page.live_url}/orgs/users/{cast.operator.pk}/")
    dialogs = []
    page.auto_accept_dialogs = False
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_test_id("reset-password").click()
    assert dialogs == ["确定为该账号重置密码？"]
    assert not page.get_by_test_id("one-time-password").count()  # dismissed: nothing happened
    # The person search posts; the ID number never appears in a requested URL.
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(page.live_url + "/ledgers/persons/")
    page.fill("input[name=q]", p.id_number)
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="测试人").wait_for()
    assert not [u for u in requested if p.id_number in u], requested
    assert p.id_number not in page.url
    assert page.evaluate("window.__cspViolations") == [] and not page.console_errors
