"""The sheet shows how each ledger fact is counted, and line 3.2.2's rule, beside them."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.cast import PASSWORD
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db


def test_sheet_and_facts_page_show_definitions_and_the_3_2_2_rule(client, evaluation, cast):
    c = cast.community
    for record in ("上门了解就业需求", ""):  # one household visited with a record, one without
        hh = f.household(c)
        f.zero(hh, date(2025, 2, 1))
        f.person(c, hh)
        f.visit(hh, date(2025, 3, 1), record=record)
    client.login(username=cast.operator.username, password=PASSWORD)
    html = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert "有走访、无记录备案不得分 → 0 分" in html
    assert 'data-testid="fact-definition-registered_unemployed_total"' in html
    assert "未达法定退休年龄" in html and "零就业家庭成员" in html and "政策咨询" in html

    page = client.get(reverse("ledgers:evaluation_facts", args=[evaluation.pk])).content.decode()
    assert 'data-testid="definition-welfare_post_placements"' in page
    assert 'data-line="3.2.2"' in page and 'data-line="1.1"' not in page  # ledger lines from the standard
    assert "有走访、无记录备案不得分 → 0 分" in page
