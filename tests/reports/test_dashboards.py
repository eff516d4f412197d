"""Dashboard data against hand-computed figures, and the district scope of the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports import dashboards, summaries
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def table(chart):
    return {row[0]: dict(zip(chart["headers"][1:], row[1:], strict=True)) for row in chart["rows"]}


def test_workflow_progress(cast, period, sheets):
    (c,) = dashboards.workflow_progress(period, summaries.scoped_communities(cast.city_admin), cast.city_admin)
    t = table(c)
    assert list(t) == ["东城区", "西城区"]
    assert t["东城区"]["已公布"] == 2 and t["东城区"]["未建评估表"] == 0
    assert t["西城区"]["县级已通过（报市级）"] == 1 and t["西城区"]["已公布"] == 0


def test_score_and_star_distribution(cast, period, sheets):
    scores, stars = dashboards.score_distribution(period, summaries.scoped_communities(cast.city_admin), cast.city_admin)
    t = table(scores)
    assert t["90–95分（不含）"]["社区数"] == 1 and t["95分及以上"]["社区数"] == 1
    assert sum(r["社区数"] for r in t.values()) == 2
    assert "1 个社区尚未完成市级复核" in scores["note"]
    assert table(stars) == {"五星": {"社区数": 1}, "四星": {"社区数": 1}}


def test_line_losses(cast, period, sheets):
    (c,) = dashboards.line_losses(period, summaries.scoped_communities(cast.city_admin), cast.city_admin)
    t = table(c)
    # Latest stage: city for the two 东城区 sheets, county for 西华一.
    assert t["3.6"] == {"平均失分": 2.0, "失分社区数": 1, "已评分社区数": 3}
    assert t["5"] == {"平均失分": 1.5, "失分社区数": 2, "已评分社区数": 2}
    assert t["1.3"]["平均失分"] == pytest.approx(0.17)
    assert t["1.1"] == {"平均失分": 0.0, "失分社区数": 0, "已评分社区数": 3}


def test_self_vs_reviewed(cast, period, sheets):
    (c,) = dashboards.self_vs_reviewed(period, summaries.scoped_communities(cast.city_admin), cast.city_admin)
    t = table(c)
    assert t["东城区"]["平均自评分"] == 94.5  # (94 + 95) / 2
    assert t["东城区"]["平均县级审核分"] == 94.25  # (93.5 + 95) / 2
    assert t["东城区"]["自评高出县级审核（平均分差）"] == 0.25
    assert t["西城区"]["自评高出县级审核（平均分差）"] == 9.0
    assert t["西城区"]["自评高于审核的社区数"] == 1 and t["西城区"]["平均市级复核分"] is None


def test_county_user_sees_its_county_only(client, cast, period, sheets):
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    for slug in dashboards.DASHBOARDS:
        resp = client.get(reverse("reports:dashboard", args=[slug]))
        assert resp.status_code == 200
        assert all("西城区" not in str(c["rows"]) for c in resp.context["charts"]), slug
    resp = client.get(reverse("reports:dashboard", args=["progress"]) + f"?county={cast.other_county.pk}")
    assert resp.status_code == 404
    resp = client.get(reverse("reports:dashboard", args=["history"]) + f"?community={cast.other_community.pk}")
    assert resp.status_code == 404


def test_district_filter_for_the_city(client, cast, period, sheets):
    client.login(username=cast.city_reviewer.username, password=PASSWORD)
    resp = client.get(reverse("reports:dashboard", args=["progress"]) + f"?period=2025&county={cast.other_county.pk}")
    (c,) = resp.context["charts"]
    assert c["categories"] == ["西城区"]


def test_community_history(cast, period, sheets, standard_version):
    from evaluations.models import Evaluation, Period, State
    from tests.reports.conftest import score_sheet

    p2 = Period.objects.create(year=2026, name="2026年度", standard=standard_version, created_by=cast.city_admin)
    score_sheet(Evaluation.objects.create(period=p2, community=cast.community), cast.city_reviewer, {},
                state=State.PUBLISHED)  # fmt: skip
    (c,) = dashboards.community_history(cast.community, cast.city_admin)
    t = table(c)
    assert list(t) == ["2025年度", "2026年度"]
    assert t["2025年度"]["市级复核分"] == 93.5 and t["2026年度"]["市级复核分"] == 100.0
    assert t["2026年度"]["星级"] == "五星"


def test_star_distribution_leaves_out_sheets_still_in_review(cast, period, sheets):
    """A sheet still under city review (a total and star already stored, or a provisional "not evaluated"
    result from the facts) is counted as pending, not as a star."""
    from evaluations.models import Evaluation, State

    sheet = Evaluation.objects.get(period=period, community=cast.sibling)
    Evaluation.objects.filter(pk=sheet.pk).update(state=State.CITY_REVIEWING)
    Evaluation.objects.filter(community=cast.other_community).update(result_status="not_evaluated")
    scores, stars = dashboards.score_distribution(period, summaries.scoped_communities(cast.city_admin),
                                                  cast.city_admin)
    assert table(stars) == {"四星": {"社区数": 1}}
    assert "2 个社区尚未完成市级复核" in stars["note"]
