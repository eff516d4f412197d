"""The permission matrix as data: (role, url, method) -> expected status, over every named URL.

`test_every_named_url_is_in_the_matrix` walks the project's URLconf, so a new URL without a row fails.
Objects belong to the cast's community (东华一社区); 'outsider' is the operator of another county's
community, 'anonymous' is not logged in. An expected value may be a set when a role is allowed and the
outcome depends on the (empty) form data: allowed means "neither 403 nor 404 nor a login redirect".
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from evaluations.models import Evaluation
from evaluations.services import evidence as evidence_service
from evaluations.services.periods import open_period
from tests.cast import PASSWORD

try:
    reverse("evaluations:history", args=[1])
except Exception:  # evaluations/urls.py does not include urls_extra yet: mount it for this table
    from django.urls import include, path

    from config.urls import urlpatterns as _base

    urlpatterns = [path("evaluations/", include(("evaluations.urls_extra", "evaluations"))), *_base]
    pytestmark = pytest.mark.urls(__name__)

ROLES = ["anonymous", "community_operator", "street_viewer", "county_reviewer", "city_reviewer", "city_admin", "outsider"]
LOGIN = 302  # anonymous users are sent to the login page
OK_FORM = frozenset({200, 302, 400, 422})  # allowed: the view ran (success redirect or form errors)


def per_role(default, **overrides) -> dict[str, object]:
    table = {role: default for role in ROLES}
    table["anonymous"] = LOGIN
    table.update(overrides)
    return table


EVERYONE = per_role(200)
SCOPED = per_role(200, outsider=404)  # an object of the cast's community
CITY_ADMIN_ONLY = per_role(403, city_admin=200)
ADMIN_ONLY_POST = per_role(403, city_admin=OK_FORM)

# url name -> (args builder key, method, {role: status}). Builders get the fixture objects.
MATRIX: dict[str, list[tuple[str, str, dict]]] = {
    "home": [("none", "get", EVERYONE)],
    "healthz": [("none", "get", per_role(200, anonymous=200))],
    "login": [("none", "get", per_role(302, anonymous=200))],
    "logout": [("none", "post", per_role(302, anonymous=302))],
    "password_change": [("none", "get", EVERYONE)],
    "standards:current": [("none", "get", EVERYONE)],
    "standards:detail": [("version", "get", EVERYONE)],
    # orgs: the city administrator manages units and accounts.
    "orgs:units": [("none", "get", CITY_ADMIN_ONLY)],
    "orgs:import": [("none", "get", CITY_ADMIN_ONLY)],
    "orgs:import_template": [("none", "get", CITY_ADMIN_ONLY)],
    "orgs:users": [("none", "get", CITY_ADMIN_ONLY)],
    "orgs:user_create": [("none", "get", CITY_ADMIN_ONLY)],
    "orgs:user_detail": [("user", "get", per_role(403, city_admin=200, outsider=404))],
    "orgs:user_reset_password": [("user", "post", per_role(403, city_admin=OK_FORM, outsider=404))],
    "orgs:user_deactivate": [("user", "post", per_role(403, city_admin=OK_FORM, outsider=404))],
    "orgs:user_reactivate": [("user", "post", per_role(403, city_admin=OK_FORM, outsider=404))],
    # ledgers: lists are scoped to the user's unit; facts of an evaluation follow its scope.
    "ledgers:index": [("none", "get", EVERYONE)],
    "ledgers:persons": [("none", "get", EVERYONE)],
    "ledgers:households": [("none", "get", EVERYONE)],
    "ledgers:employers": [("none", "get", EVERYONE)],
    "ledgers:complaints": [("none", "get", EVERYONE)],
    "ledgers:evaluation_facts": [("evaluation", "get", SCOPED)],
    # reports
    "reports:index": [("none", "get", EVERYONE)],
    "reports:form_print": [("evaluation", "get", SCOPED)],
    "reports:form_download": [("evaluation_xlsx", "get", SCOPED)],
    "reports:export": [("export_summary", "get", EVERYONE)],
    "reports:dashboard": [("dashboard", "get", EVERYONE)],
    "reports:ledger_stats": [("none", "get", EVERYONE)],
    # api token management page (the /api/ endpoints authenticate with tokens: tests/api)
    "api:tokens": [("none", "get", EVERYONE)],
    # evidence, compare, history (evaluations.urls_extra)
    "evaluations:evidence": [("evidence_line", "get", SCOPED)],
    "evaluations:evidence_upload": [
        ("evidence_line", "post", per_role(302, street_viewer=403, outsider=404)),
    ],
    "evaluations:evidence_download": [("revision", "get", SCOPED)],
    "evaluations:evidence_delete": [("evidence_item", "post", per_role(302, street_viewer=403, outsider=404))],
    "evaluations:innovation": [("evaluation", "post", per_role(403, community_operator=302, outsider=404))],
    "evaluations:compare": [("evaluation", "get", SCOPED)],
    "evaluations:history": [("evaluation", "get", SCOPED)],
}

# URLs deliberately outside this table, each with the reason; everything else must have rows.
NOT_IN_MATRIX_PREFIXES = {
    "admin:": "Django admin: staff only; no cast user is staff (test_admin_is_staff_only)",
    "api:v1:": "token-authenticated JSON API, covered by its own permission tests in tests/api",
}
NOT_YET_IN_MATRIX = {
    # Object pages of the ledgers need ledger fixtures that the cast does not build yet.
    "ledgers:person_create", "ledgers:person_detail", "ledgers:person_edit", "ledgers:person_unmask",
    "ledgers:household_create", "ledgers:household_detail", "ledgers:household_edit",
    "ledgers:employer_create", "ledgers:employer_detail", "ledgers:employer_edit",
    "ledgers:complaint_create", "ledgers:complaint_edit", "ledgers:record_create", "ledgers:record_edit",
    "ledgers:import", "ledgers:import_detail", "ledgers:import_apply", "ledgers:import_template",
    "ledgers:export", "ledgers:refresh_facts", "ledgers:fact_records", "api:token_revoke",
}


def named_urls() -> set[str]:
    names: set[str] = set()

    def walk(patterns, ns: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{ns}{p.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_named_url_is_in_the_matrix():
    missing = sorted(
        name
        for name in named_urls()
        if name not in MATRIX
        and name not in NOT_YET_IN_MATRIX
        and not name.startswith(tuple(NOT_IN_MATRIX_PREFIXES))
    )
    assert not missing, f"URLs without rows in the permission matrix: {missing}"
    stale = sorted(set(MATRIX) - named_urls())
    assert not stale, f"matrix rows for URLs that no longer exist: {stale}"


ROWS = [
    pytest.param(role, name, builder, method, expected[role], id=f"{name}-{method}-{role}")
    for name, entries in MATRIX.items()
    for builder, method, expected in entries
    for role in ROLES
]


@pytest.fixture
def world(cast, standard_version):
    period = open_period(cast.city_admin, year=2026, name="2026年度评审", standard=standard_version,
                         communities=[cast.community, cast.sibling])
    evaluation = Evaluation.objects.get(period=period, community=cast.community)
    revision = evidence_service.upload(
        evaluation, cast.operator, "1.1", SimpleUploadedFile("批复.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    return {"cast": cast, "sv": standard_version, "evaluation": evaluation, "revision": revision}


def build_args(builder: str, world: dict) -> list:
    ev = world["evaluation"]
    return {
        "none": [],
        "version": [world["sv"].version],
        "user": [world["cast"].operator.pk],
        "evaluation": [ev.pk],
        "evaluation_xlsx": [ev.pk, "xlsx"],
        "export_summary": ["summary", "xlsx"],
        "dashboard": ["progress"],
        "evidence_line": [ev.pk, "1.1"],
        "revision": [ev.pk, world["revision"].pk],
        "evidence_item": [ev.pk, world["revision"].evidence_id],
    }[builder]


@pytest.mark.parametrize(("role", "name", "builder", "method", "expected"), ROWS)
def test_permission_matrix(client, world, role, name, builder, method, expected):
    cast = world["cast"]
    if role != "anonymous":
        user = cast.outsider if role == "outsider" else cast.users_by_role()[role]
        assert client.login(username=user.username, password=PASSWORD)
    url = reverse(name, args=build_args(builder, world))
    response = getattr(client, method)(url)
    if role == "anonymous" and expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    elif isinstance(expected, frozenset):
        assert response.status_code in expected, f"{method.upper()} {url} as {role}: {response.status_code}"
        assert "/accounts/login/" not in response.get("Location", "")
    else:
        assert response.status_code == expected, f"{method.upper()} {url} as {role}: {response.status_code}"


def test_admin_is_staff_only(client, cast):
    for user in cast.users_by_role().values():
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
