"""Issue 11.11: no full ID number reaches a role that may not unmask, on any page, export or API answer.

The demo city (seed_demo) plus persons imported without a 户编号 (whose household code used to be
"R-<ID number>"), crawled as the city reviewer and the street viewer: every page reachable by links
(a few per URL pattern), every xlsx/CSV export and every GET of the API, scanned for any full ID number
of the demo's persons.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
from collections import Counter
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from api.tokens import create_token
from ledgers import services
from ledgers.models import Household, Person
from orgs.models import Unit, User
from orgs.scoping import can
from tests.ledgers import factories as f
from tests.ledgers.xlsx import xlsx

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"#]+)"')
SKIP = ("/accounts/logout", "/admin", "/static/", "/api/docs", "/api/openapi")
PER_PATTERN = 3
MAX_PAGES = 400


def import_without_household_code(community: Unit) -> list[str]:
    operator = User.objects.filter(unit=community).first()
    numbers = [f.make_id(region="990102") for _ in range(3)]
    rows = [["姓名", "身份证号", "住址"]] + [[f"导入人{i}", n, "湖滨路1号"] for i, n in enumerate(numbers)]
    job = services.check_import(operator, community, "persons", xlsx(rows), sensitive=True)
    job = services.apply_import(operator, job.pk, sensitive=True)  # a job, run at once in tests
    assert job.status == "applied", job.summary
    return numbers


def pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({kv.split("=")[0] for kv in parts.query.split("&") if kv and not kv.startswith("page=")})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def texts(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        wb = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row)
    if "csv" in content_type:
        return "\n".join(",".join(r) for r in csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    if content_type.startswith(("text/", "application/json")):
        return body.decode("utf-8", "replace")
    return ""  # PDF/Word: rendered from the same presenters as the pages scanned here


def crawl(client: Client, seeds: list[str]) -> tuple[dict[str, str], int]:
    seen_patterns: Counter = Counter()
    queue, visited, bodies = list(seeds), set(), {}
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        if url in visited or url.startswith(SKIP) or seen_patterns[pattern(url)] >= PER_PATTERN:
            continue
        visited.add(url)
        seen_patterns[pattern(url)] += 1
        response = client.get(url)
        if response.status_code != 200:
            continue
        text = texts(response)
        bodies[url] = text
        if "text/html" in response.get("Content-Type", ""):
            for href in HREF.findall(text):
                href = urljoin(url, href.replace("&amp;", "&"))
                if href.startswith("/") and href not in visited:
                    queue.append(href)
    return bodies, len(visited)


def api_bodies(user: User) -> dict[str, str]:
    from django.urls import reverse

    if can(user, "use_api"):
        _, raw = create_token(user, "scan")
        client = Client(headers={"Authorization": f"Bearer {raw}"})
    else:
        client = Client()  # street viewers hold no token: they read the API through their session
        client.force_login(user)
    schema = client.get("/api/openapi.json").json()
    out = {}
    for path, methods in schema["paths"].items():
        if "get" not in methods or "{" in path:
            continue
        response = client.get(path, {"limit": 200})
        out[path] = response.content.decode()
        if path.endswith("/ledgers/persons") and response.status_code == 200:
            for item in response.json()["items"][:20]:
                detail = f"{path}/{item['id']}"
                out[detail] = client.get(detail).content.decode()
    assert reverse("api:v1:openapi-json")
    return out


def test_migration_rewrites_old_generated_codes(cast):
    p = f.person(cast.community, hh=f.household(cast.community, code="R-350102198001011234"))
    f.household(cast.community, code="R-12")  # not an ID: left alone
    migration = importlib.import_module("ledgers.migrations.0002_household_codes_without_id")
    from django.apps import apps

    migration.rewrite(apps, None)
    p.household.refresh_from_db()
    assert re.fullmatch(r"R-[0-9A-F]{10}", p.household.code)
    assert Household.objects.filter(code="R-12").exists()


def test_import_without_household_code_generates_a_random_code(cast):
    operator = cast.operator
    rows = [["姓名", "身份证号"], ["甲", f.make_id()], ["乙", f.make_id()]]
    job = services.check_import(operator, cast.community, "persons", xlsx(rows), sensitive=True)
    services.apply_import(operator, job.pk, sensitive=True)
    codes = list(Person.objects.filter(community=cast.community).values_list("household__code", "id_number"))
    assert len(codes) == 2
    for code, number in codes:
        assert re.fullmatch(r"R-[0-9A-F]{10}", code) and number not in code and number[-6:] not in code


@pytest.mark.parametrize("username", ["sf_city", "jd_hubin"])
def test_masking_roles_never_see_a_full_id_number(username):
    call_command("seed_demo", stdout=StringIO())
    street = Unit.objects.get(code="990102001")
    community = street.children.order_by("code").first()
    imported = import_without_household_code(community)
    full_numbers = set(Person.objects.values_list("id_number", flat=True))
    assert set(imported) <= full_numbers and len(full_numbers) > 50
    user = User.objects.get(username=username)
    assert user.role in ("city_reviewer", "street_viewer")
    client = Client()
    client.force_login(user)
    imported_persons = list(Person.objects.filter(id_number__in=imported).values_list("pk", "household_id"))
    seeds = ["/", "/ledgers/persons/", "/ledgers/households/", "/ledgers/employers/", "/ledgers/complaints/",
             "/reports/", "/evaluations/"]
    seeds += [f"/ledgers/persons/{pk}/" for pk, _ in imported_persons]
    seeds += [f"/ledgers/households/{hh}/" for _, hh in imported_persons]
    from ledgers.imports import SPECS

    for kind in SPECS:
        seeds += [f"/ledgers/export/{kind}/?format=xlsx", f"/ledgers/export/{kind}/?format=csv&full=1"]
    bodies, visited = crawl(client, seeds)
    assert visited > 40
    bodies.update(api_bodies(user))
    number_re = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
    leaks = {url: sorted(set(number_re.findall(text)) & full_numbers)[:3] for url, text in bodies.items()}
    leaks = {url: found for url, found in leaks.items() if found}
    assert not leaks, leaks
    # The imported persons really were on the scanned pages (masked).
    assert any(f"{n[:6]}********{n[-4:]}" in text for text in bodies.values() for n in imported)
