"""The 台帐 overview counts the sheet's population (the same facts) beside the registrations open today."""

from datetime import date

import pytest
from django.urls import reverse

from ledgers.facts import compute_community
from tests.cast import PASSWORD
from tests.ledgers import factories as fx

pytestmark = pytest.mark.django_db


def test_overview_shows_the_sheet_population_and_explains(cast, client, period):
    p = fx.person(cast.community)
    fx.unemployed(p, date(2025, 3, 1), ended=date(2025, 9, 1), reason="就业")  # in the period, closed today
    fx.unemployed(fx.person(cast.community, labour_capacity=False), date(2025, 4, 1))  # open, not in population
    client.login(username=cast.operator.username, password=PASSWORD)
    response = client.get(reverse("ledgers:index"))
    row = response.context["rows"][0]
    facts = compute_community(period.year, cast.community.pk)[0]
    assert row["sheet"]["registered_unemployed_total"] == facts["registered_unemployed_total"] == 1
    assert row["unemployed"] == 1  # the open one, not counted by the sheet
    assert "评估表口径" in response.content.decode() and "今日在册" in response.content.decode()
