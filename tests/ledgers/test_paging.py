"""Lists ordered community by community: each slice equals the same slice of the fully sorted list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledgers.models import Person
from ledgers.paging import ByCommunity
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def persons(cast):
    # Created out of code order: the other community (C02…) first, then C01… communities.
    made = []
    for community, n in ((cast.other_community, 3), (cast.sibling, 0), (cast.community, 4)):
        made += [f.person(community, name=f"{community.code}-{i}") for i in range(n)]
    return made


def _sorted():
    return list(Person.objects.order_by("community__code", "household__code", "id"))


@pytest.mark.parametrize("start,stop", [(0, 2), (0, 7), (2, 5), (3, 4), (4, 7), (6, 9), (7, 9), (0, 50)])
def test_slices_match_the_sorted_list(persons, start, stop):
    assert ByCommunity(Person.objects.all(), "household__code", "id")[start:stop] == _sorted()[start:stop]


def test_count_and_filters(persons, cast):
    listing = ByCommunity(Person.objects.filter(community=cast.community), "household__code", "id")
    assert listing.count() == 4
    assert listing[0:10] == list(Person.objects.filter(community=cast.community).order_by("household__code", "id"))


def test_a_page_reads_only_its_communities(persons, cast):
    listing = ByCommunity(Person.objects.all(), "household__code", "id")
    listing.count()
    with CaptureQueriesContext(connection) as ctx:
        listing[0:2]
    (query,) = ctx.captured_queries
    assert f"IN ({cast.community.pk})" in query["sql"]


@pytest.mark.parametrize("start,stop", [(0, 2), (2, 5), (4, 7), (0, 50)])
def test_a_city_of_communities_is_ordered_from_the_unit_index(persons, start, stop, monkeypatch):
    from ledgers import paging

    monkeypatch.setattr(paging, "MANY", 0)  # the branch taken above a county's number of communities
    assert ByCommunity(Person.objects.all(), "household__code", "id")[start:stop] == _sorted()[start:stop]
    assert ByCommunity(Person.objects.all(), "household__code", "id").count() == len(_sorted())


# Counts of a city kept until its ledgers or units change (ledger_counts=True).


@pytest.fixture
def city_size(monkeypatch):
    from ledgers import paging

    monkeypatch.setattr(paging, "MANY", 0)  # every count is a city's count here


def _listing():
    return ByCommunity(Person.objects.all(), "household__code", "id", ledger_counts=True)


def test_kept_counts_are_reused_while_nothing_changes(persons, city_size):
    assert _listing().count() == 7
    with CaptureQueriesContext(connection) as ctx:
        assert _listing().count() == 7
    assert not any("COUNT(*) AS" in q["sql"] and "ledgers_person" in q["sql"] for q in ctx.captured_queries)


def test_a_new_person_a_voided_one_and_a_deleted_one_show_at_once(persons, cast, city_size):
    assert _listing().count() == 7
    added = f.person(cast.sibling, name="新增")
    assert _listing().count() == 8
    assert added in _listing()[0:50]
    persons[0].voided_at = timezone.now()
    persons[0].save()
    assert _listing().count() == 7
    persons[1].delete()
    assert _listing().count() == 6


def test_a_recoded_community_moves_in_the_kept_order(persons, cast, city_size):
    from orgs.services.units import update_unit

    first = _listing()[0:1][0]
    assert first.community == cast.community  # C01… before C02…
    update_unit(cast.city_admin, cast.community.pk, name=cast.community.name, code="Z" + cast.community.code[1:],
                parent=cast.community.parent)
    assert _listing()[0:1][0].community == cast.other_community


def test_other_filters_and_scopes_are_kept_apart(persons, cast, city_size):
    assert _listing().count() == 7
    only = ByCommunity(Person.objects.filter(community=cast.other_community), "household__code", "id",
                       ledger_counts=True)
    assert only.count() == 3
