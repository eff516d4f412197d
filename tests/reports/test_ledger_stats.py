"""Ledger statistics and the outcome chart: aggregate counts per community and district, scoped."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse

from evaluations.models import Evaluation, FactAnswer
from ledgers.models import Employment, Household, Person, ServiceRecord, UnemploymentRegistration
from orgs.models import AccessLog
from reports import dashboards, ledger_stats, summaries
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def person(community, n: int) -> Person:
    hh = Household.objects.create(community=community, code=f"H{community.pk}-{n}", head_name="户主")
    return Person.objects.create(
        community=community, household=hh, name=f"人员{n}", id_number=f"35010219800101{n:04d}",
        birth_date=date(1980, 1, 1), sex="M",
    )  # fmt: skip


@pytest.fixture
def ledgers(cast, period):
    a, b = person(cast.community, 1), person(cast.community, 2)
    c = person(cast.other_community, 3)
    UnemploymentRegistration.objects.create(person=a, registered_on=date(2025, 2, 1))
    UnemploymentRegistration.objects.create(person=b, registered_on=date(2025, 3, 1))
    UnemploymentRegistration.objects.create(person=c, registered_on=date(2024, 3, 1))  # before the period
    Employment.objects.create(person=a, channel="flexible", started_on=date(2025, 5, 1))
    ServiceRecord.objects.create(person=a, kind="guidance", served_on=date(2025, 4, 1))
    ServiceRecord.objects.create(person=b, kind="guidance", served_on=date(2025, 4, 2))
    ServiceRecord.objects.create(person=b, kind="referral", served_on=date(2024, 4, 2))  # before the period
    return a, b, c


def test_table_counts_and_subtotals(cast, period, ledgers):
    t = ledger_stats.table(period, summaries.scoped_communities(cast.city_admin))
    headers = t["headers"]
    rows = {tuple(r["labels"]): dict(zip(headers[3:], r["values"], strict=True)) for r in t["rows"]}
    mine = rows[("东城区", "东华街道", "东华一社区")]
    assert mine["新增失业登记（人）"] == 2
    assert mine["登记失业人员（期内有效，人）"] == 2 and mine["登记失业人员中实现就业（人）"] == 1
    assert mine["就业：灵活就业（人次）"] == 1 and mine["服务：职业指导（人次）"] == 2
    assert mine["服务：职业介绍（人次）"] == 0
    other = rows[("西城区", "西华街道", "西华一社区")]
    assert other["新增失业登记（人）"] == 0 and other["登记失业人员（期内有效，人）"] == 1
    assert rows[("东城区", "小计", "")]["新增失业登记（人）"] == 2
    assert rows[("合计", "", "")]["登记失业人员（期内有效，人）"] == 3
    assert [r["kind"] for r in t["rows"]][-1] == "total"


def test_outcome_chart_uses_ledgers_then_checklist(cast, period, ledgers):
    ev = Evaluation.objects.create(period=period, community=cast.sibling)
    FactAnswer.objects.create(evaluation=ev, name="registered_unemployed_total", value=2, answered_by=cast.operator)
    FactAnswer.objects.create(evaluation=ev, name="registered_unemployed_employed", value=2, answered_by=cast.operator)
    rates, hardship = dashboards.outcomes(period, summaries.scoped_communities(cast.city_admin), cast.city_admin)
    t = {row[0]: dict(zip(rates["headers"][1:], row[1:], strict=True)) for row in rates["rows"]}
    # 东城区: ledgers 2 registered / 1 employed + checklist 2 / 2 → 3 of 4.
    assert t["东城区"]["登记失业人员就业率（%）"] == 75.0 and t["东城区"]["有数据的社区数"] == 2
    assert t["西城区"]["登记失业人员就业率（%）"] == 0.0
    assert hardship["headers"] == ["区（市、县）", "零就业家庭（户）", "失业半年以上人员（人）"]


def test_page_and_export_scoped_and_logged(client, cast, period, ledgers):
    from openpyxl import load_workbook

    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    resp = client.get(reverse("reports:ledger_stats"))
    html = resp.content.decode()
    assert resp.status_code == 200 and "东华一社区" in html and "西华一社区" not in html
    assert "35010219800101" not in html and "人员1" not in html  # aggregate only
    resp = client.get(reverse("reports:export", args=["ledger_stats", "xlsx"]) + "?period=2025")
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert {r[2] for r in rows[2:-1] if r[2]} == {"东华一社区", "东华二社区"}
    assert AccessLog.objects.filter(user=cast.county_reviewer, detail__report="ledger_stats").exists()


def test_city_summary_is_reused_until_a_community_row_changes(cast, period, django_assert_max_num_queries):
    from reports import stats_store

    communities = summaries.scoped_communities(cast.city_admin)
    first = ledger_stats.table(period, communities, community_rows=False)
    calls = []

    def compute():
        calls.append(1)
        return {"rows": [], "computed_at": None}

    # Unchanged rows: the kept summary, from one aggregate query.
    with django_assert_max_num_queries(2):
        again = stats_store.cached_summary("ledger-table", period, communities, communities.count(), compute)
    assert again == first and calls == []
    # A ledger change marks the community's row stale: summed again.
    stats_store.mark_stale([cast.community.pk])
    stats_store.cached_summary("ledger-table", period, communities, communities.count(), compute)
    assert calls == [1]


def test_outcomes_are_kept_apart_from_the_table_and_follow_ledger_changes(cast, period, ledgers):
    communities = summaries.scoped_communities(cast.city_admin)
    ledger_stats.table(period, communities, community_rows=False)  # a kept summary of the same scope
    rates, _ = dashboards.outcomes(period, communities, cast.city_admin)
    assert rates["headers"][0] == "区（市、县）"
    t = {row[0]: dict(zip(rates["headers"][1:], row[1:], strict=True)) for row in rates["rows"]}
    before = t["东城区"]["登记失业人员（人）"]
    assert dashboards.outcomes(period, communities, cast.city_admin)[0] == rates  # kept
    UnemploymentRegistration.objects.create(person=person(cast.community, 9), registered_on=date(2025, 6, 1))
    rates, _ = dashboards.outcomes(period, communities, cast.city_admin)
    t = {row[0]: dict(zip(rates["headers"][1:], row[1:], strict=True)) for row in rates["rows"]}
    assert t["东城区"]["登记失业人员（人）"] == before + 1
