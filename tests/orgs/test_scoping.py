"""The one scope-aware lookup: 404 outside the user's unit, 403 inside it for a role lacking the action."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from evaluations.models import Evaluation, Period
from orgs.models import Unit, User
from orgs.scoping import can, get_for_user, scope_queryset, visible_communities, visible_units


@pytest.fixture
def sheets(cast, standard_version):
    period = Period.objects.create(year=2031, name="2031年度", standard=standard_version, created_by=cast.city_admin)
    return {
        unit_name: Evaluation.objects.create(period=period, community=getattr(cast, unit_name))
        for unit_name in ("community", "sibling", "other_community")
    }


# (user attribute of the cast, sheet, action, expected: "ok" | 403 | 404)
CASES = [
    ("city_admin", "community", "view", "ok"),
    ("city_admin", "other_community", "reopen", "ok"),
    ("city_admin", "community", "review_county", 403),
    ("city_admin", "community", "submit", 403),
    ("city_reviewer", "other_community", "review_city", "ok"),
    ("city_reviewer", "community", "manage_periods", 403),
    ("county_reviewer", "community", "review_county", "ok"),
    ("county_reviewer", "sibling", "view", "ok"),
    ("county_reviewer", "community", "submit", 403),
    ("county_reviewer", "other_community", "view", 404),
    ("county_reviewer", "other_community", "review_county", 404),
    ("street_viewer", "sibling", "view", "ok"),
    ("street_viewer", "community", "edit_facts", 403),
    ("street_viewer", "other_community", "view", 404),
    ("operator", "community", "submit", "ok"),
    ("operator", "community", "review_county", 403),
    ("operator", "sibling", "view", 404),
    ("operator", "sibling", "submit", 404),
    ("operator", "other_community", "view", 404),
    ("outsider", "other_community", "submit", "ok"),
    ("outsider", "community", "view", 404),
    ("other_county_reviewer", "other_community", "review_county", "ok"),
    ("other_county_reviewer", "community", "review_county", 404),
]


@pytest.mark.parametrize("who,sheet,action,expected", CASES)
def test_get_for_user(cast, sheets, who, sheet, action, expected):
    user = getattr(cast, who)
    target = sheets[sheet]
    if expected == "ok":
        assert get_for_user(user, Evaluation.objects.all(), action, pk=target.pk) == target
    elif expected == 404:
        with pytest.raises(Http404):
            get_for_user(user, Evaluation.objects.all(), action, pk=target.pk)
    else:
        with pytest.raises(PermissionDenied):
            get_for_user(user, Evaluation.objects.all(), action, pk=target.pk)


def test_missing_object_is_404(cast, sheets):
    with pytest.raises(Http404):
        get_for_user(cast.city_admin, Evaluation.objects.all(), "view", pk=999999)


def test_inactive_user_sees_nothing(cast, sheets):
    cast.operator.is_active = False
    assert not scope_queryset(cast.operator, Evaluation.objects.all()).exists()
    assert not can(cast.operator, "view")


def test_scope_querysets_per_role(cast, sheets):
    def communities(user):
        return set(scope_queryset(user, Evaluation.objects.all()).values_list("community__name", flat=True))

    assert communities(cast.city_reviewer) == {"东华一社区", "东华二社区", "西华一社区"}
    assert communities(cast.county_reviewer) == {"东华一社区", "东华二社区"}
    assert communities(cast.street_viewer) == {"东华一社区", "东华二社区"}
    assert communities(cast.operator) == {"东华一社区"}
    assert set(visible_communities(cast.outsider)) == {cast.other_community}


def test_units_and_users_are_scoped_models(cast):
    # Unit: the county reviewer's scope is the county itself and everything below it.
    county_units = set(scope_queryset(cast.county_reviewer, Unit.objects.all()))
    assert county_units == {cast.county, cast.street, cast.community, cast.sibling}
    assert set(scope_queryset(cast.street_viewer, Unit.objects.all())) == {cast.street, cast.community, cast.sibling}
    # visible_units adds the ancestors.
    assert cast.city in set(visible_units(cast.street_viewer))
    # User: scoped through its unit.
    with pytest.raises(Http404):
        get_for_user(cast.county_reviewer, User.objects.all(), "manage_users", pk=cast.outsider.pk)
    with pytest.raises(PermissionDenied):
        get_for_user(cast.county_reviewer, User.objects.all(), "manage_users", pk=cast.operator.pk)
    assert get_for_user(cast.city_admin, User.objects.all(), "manage_users", pk=cast.outsider.pk) == cast.outsider


def test_denormalised_ancestors(cast):
    assert cast.county.county_id == cast.county.pk and cast.county.street_id is None
    assert cast.street.county_id == cast.county.pk and cast.street.street_id == cast.street.pk
    assert cast.community.county_id == cast.county.pk and cast.community.street_id == cast.street.pk
    cast.county.refresh_from_db()
    assert cast.county.county_id == cast.county.pk
