"""A unit's stored full name and ancestors stay current when a unit is renamed or moved."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.models import Level, Unit
from tests.cast import make_unit

pytestmark = pytest.mark.django_db


def names(*units):
    return [Unit.objects.get(pk=u.pk).full_name for u in units]


def test_new_units_store_their_path_below_the_city(cast):
    assert names(cast.city, cast.county, cast.street, cast.community) == [
        "示范市", "东城区", "东城区 / 东华街道", "东城区 / 东华街道 / 东华一社区"]


def test_full_name_is_read_without_walking_the_parents(cast):
    unit = Unit.objects.get(pk=cast.community.pk)
    with CaptureQueriesContext(connection) as ctx:
        assert unit.full_name == "东城区 / 东华街道 / 东华一社区"
    assert len(ctx.captured_queries) == 0


def test_renaming_a_street_renames_its_communities(cast):
    street = Unit.objects.get(pk=cast.street.pk)
    street.name = "东华新街道"
    street.save()
    assert names(cast.street, cast.community, cast.sibling, cast.other_community) == [
        "东城区 / 东华新街道", "东城区 / 东华新街道 / 东华一社区", "东城区 / 东华新街道 / 东华二社区",
        "西城区 / 西华街道 / 西华一社区"]


def test_renaming_a_county_with_update_fields_renames_the_subtree(cast):
    county = Unit.objects.get(pk=cast.county.pk)
    county.name = "东城新区"
    county.save(update_fields=["name"])
    assert names(cast.county, cast.street, cast.community) == [
        "东城新区", "东城新区 / 东华街道", "东城新区 / 东华街道 / 东华一社区"]


def test_moving_a_street_to_another_county_updates_names_and_ancestors(cast):
    street = Unit.objects.get(pk=cast.street.pk)
    street.parent = cast.other_county
    street.save()
    community = Unit.objects.get(pk=cast.community.pk)
    assert community.full_name == "西城区 / 东华街道 / 东华一社区"
    assert (community.county_id, community.street_id) == (cast.other_county.pk, cast.street.pk)
    assert Unit.objects.get(pk=cast.street.pk).county_id == cast.other_county.pk
    # The county filter of the scoping now finds the moved community under its new county.
    assert set(Unit.objects.filter(level=Level.COMMUNITY, county=cast.other_county).values_list("code", flat=True)) \
        == {"C010101", "C010102", "C020101"}


def test_moving_a_community_changes_only_that_community(cast):
    new_street = make_unit("西华二街道", "C0202", Level.STREET, cast.other_county)
    community = Unit.objects.get(pk=cast.community.pk)
    community.parent = new_street
    community.save()
    assert names(cast.community, cast.sibling) == ["西城区 / 西华二街道 / 东华一社区", "东城区 / 东华街道 / 东华二社区"]
    assert Unit.objects.get(pk=cast.community.pk).street_id == new_street.pk


def test_a_failed_subtree_rewrite_leaves_nothing_half_written(cast, monkeypatch):
    def boom(self):
        raise RuntimeError("stop")

    monkeypatch.setattr(Unit, "_rewrite_subtree", boom)
    street = Unit.objects.get(pk=cast.street.pk)
    street.name = "改名街道"
    with pytest.raises(RuntimeError):
        street.save()
    assert names(cast.street, cast.community) == ["东城区 / 东华街道", "东城区 / 东华街道 / 东华一社区"]


def test_the_migration_fills_existing_units(cast):
    from importlib import import_module

    from django.apps import apps

    Unit.objects.update(full_name="")
    import_module("orgs.migrations.0003_unit_full_name").fill_full_names(apps, None)
    assert names(cast.city, cast.county, cast.street, cast.community) == [
        "示范市", "东城区", "东城区 / 东华街道", "东城区 / 东华街道 / 东华一社区"]
