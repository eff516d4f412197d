"""The period form chooses communities by district, with typed exclusions and additions (no list of every
community), and gives back exactly a period's communities when editing."""

import pytest

from evaluations.forms import PeriodForm
from orgs.pickers import label

pytestmark = pytest.mark.django_db


def _data(standard_version, **extra):
    return {"year": 2031, "name": "", "standard": standard_version.pk, "star_bands": "五星 95\n四星 90",
            "score_step": "0.5", **extra}


def test_districts_less_excluded_plus_added(cast, standard_version):
    form = PeriodForm(_data(standard_version, districts=[cast.county.pk], excluded="东华二社区",
                            added=label(cast.other_community)))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["communities"] == [cast.community, cast.other_community]


def test_unknown_community_and_nothing_chosen(cast, standard_version):
    form = PeriodForm(_data(standard_version, districts=[cast.county.pk], excluded="不存在社区"))
    assert not form.is_valid() and "没有找到" in form.errors["excluded"][0]
    form = PeriodForm(_data(standard_version))
    assert not form.is_valid() and form.errors["districts"] == ["请至少选择一个参加评估的社区。"]


def test_editing_round_trip(cast, standard_version):
    form = PeriodForm(initial={"communities": [cast.community, cast.other_community]})
    assert form.initial["districts"] and set(form.initial["districts"]) == {cast.county, cast.other_county}
    assert form.initial["excluded"] == cast.sibling.full_name
    bound = PeriodForm(_data(standard_version, districts=[u.pk for u in form.initial["districts"]],
                             excluded=form.initial["excluded"], added=form.initial["added"]))
    assert bound.is_valid(), bound.errors
    assert set(bound.cleaned_data["communities"]) == {cast.community, cast.other_community}
