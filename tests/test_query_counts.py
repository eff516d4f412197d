"""No page's query count grows with the rows it shows: every list is measured at two data sizes.

The small city is the cast (3 communities in the period); `grow` adds communities with sheets in several
states and ledger rows, then the same request must not issue more queries than before.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from evaluations.models import Evaluation, State
from ledgers.models import Complaint, Employer
from orgs.models import Level
from tests.api.conftest import ApiClient
from tests.cast import PASSWORD, make_unit
from tests.ledgers import factories as lf

pytestmark = pytest.mark.django_db

STATES = [State.DRAFT, State.SUBMITTED, State.COUNTY_PASSED, State.CITY_REVIEWING, State.PUBLISHED]


def ledger_rows(community, n: int = 2) -> None:
    for _ in range(n):
        hh = lf.household(community)
        lf.unemployed(lf.person(community, hh), datetime.date(2025, 3, 1))
    Employer.objects.create(community=community, name=f"{community.name}用人单位{lf.make_id()}", credit_code="")
    Complaint.objects.create(community=community, received_on=datetime.date(2025, 5, 1), summary="投诉")


def grow(cast, period, n: int) -> None:
    """Add `n` communities (two new streets, one per county) with sheets in several states and ledgers."""
    streets = [make_unit(f"新街道{cast.county.pk}-{n}", f"N1{n:03d}", Level.STREET, cast.county),
               make_unit(f"新街道{cast.other_county.pk}-{n}", f"N2{n:03d}", Level.STREET, cast.other_county)]
    for i in range(n):
        unit = make_unit(f"新社区{i}", f"N{n:03d}{i:03d}", Level.COMMUNITY, streets[i % 2])
        Evaluation.objects.create(period=period, community=unit, state=STATES[i % len(STATES)])
        ledger_rows(unit)
    for community in (cast.community, cast.sibling, cast.other_community):
        ledger_rows(community, 3)


def count(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def web(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


PAGES = [
    ("city_admin", "/"),
    ("city_reviewer", "/"),
    ("county_reviewer", "/"),
    ("street_viewer", "/"),
    ("operator", "/"),
    ("city_admin", "/evaluations/"),
    ("city_admin", "/evaluations/?overdue=on"),
    ("county_reviewer", "/evaluations/"),
    ("city_admin", "/ledgers/"),
    ("city_admin", "/ledgers/persons/"),
    ("city_admin", "/ledgers/persons/?community=新"),
    ("county_reviewer", "/ledgers/persons/"),
    ("city_admin", "/ledgers/households/"),
    ("city_admin", "/ledgers/employers/"),
    ("city_admin", "/ledgers/complaints/"),
    ("city_admin", "/ledgers/import/"),
    ("city_admin", "/orgs/communities/options/?q=社区"),
    ("city_admin", "/orgs/users/"),
    ("city_admin", "/reports/"),
    ("county_reviewer", "/reports/"),
    ("city_admin", "/reports/ledger-stats/?period=2026"),
    ("county_reviewer", "/reports/ledger-stats/?period=2026"),
    ("city_admin", "/reports/dashboard/outcomes/?period=2026"),
    ("city_admin", "/reports/dashboard/progress/?period=2026"),
    ("city_admin", "/reports/dashboard/scores/?period=2026"),
    ("city_admin", "/reports/dashboard/losses/?period=2026"),
    ("city_admin", "/reports/dashboard/selfgap/?period=2026"),
    ("city_admin", "/reports/dashboard/yoy/?period=2026"),
    ("city_admin", "/register/"),
    ("county_reviewer", "/register/"),
    ("city_admin", "/register/national/"),
    ("city_admin", "/register/appeals/"),
    ("operator", "/public/register/"),
]


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_page_queries_do_not_grow_with_rows(cast, period, role, url):
    user = getattr(cast, role)
    grow(cast, period, 4)
    client = web(user)
    client.get(url)  # warm per-process caches (standard, content types)
    small = count(lambda: client.get(url))
    grow(cast, period, 24)
    client.get(url)  # statistics: the new communities' rows are computed once (see the test below)
    large = count(lambda: client.get(url))
    assert large <= small, f"{url} as {role}: {small} queries with few rows, {large} with more"


API = [
    ("city_admin", "/evaluations"),
    ("county_reviewer", "/evaluations"),
    ("city_admin", "/units"),
    ("city_admin", "/ledgers/communities"),
    ("city_admin", "/ledgers/communities?q=新社区"),
    ("city_admin", "/ledgers/persons"),
    ("city_admin", "/ledgers/households"),
    ("city_admin", "/ledgers/employers"),
    ("city_admin", "/ledgers/complaints"),
    ("city_admin", "/ledgers/records/unemployment"),
]


@pytest.mark.parametrize(("role", "url"), API)
def test_api_list_queries_do_not_grow_with_rows(cast, period, role, url):
    api = ApiClient(getattr(cast, role))
    grow(cast, period, 4)
    api.get(url)
    small = count(lambda: api.get(url))
    grow(cast, period, 24)
    large = count(lambda: api.get(url))
    assert large <= small, f"{url} as {role}: {small} queries with few rows, {large} with more"


def test_recomputing_stale_statistics_costs_the_same_for_few_or_many_communities(cast, period):
    from reports import stats_store, summaries

    def recompute() -> int:
        stats_store.mark_stale(summaries.scoped_communities(cast.city_admin).values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as ctx:
            stats_store.stats_for(period, summaries.scoped_communities(cast.city_admin))
        return len(ctx.captured_queries)

    grow(cast, period, 4)
    stats_store.stats_for(period, summaries.scoped_communities(cast.city_admin))
    small = recompute()
    grow(cast, period, 24)
    stats_store.stats_for(period, summaries.scoped_communities(cast.city_admin))
    large = recompute()
    assert large <= small
