"""Compare view: three columns side by side, differences and reasons highlighted, totals and stars."""

import re

import pytest
from django.urls import reverse

from evaluations.services import workflow
from tests.cast import PASSWORD
from tests.evaluations.conftest import answer_facts, fill_stage


def county_score(line):
    return line.max - 1 if line.id == "1.2" else line.max


@pytest.fixture
def reviewed(evaluation, cast):
    """Self at max everywhere; the county takes one point off 1.2 (with its reason)."""
    answer_facts(evaluation, cast.operator, {"platform_established": True, "service_window": True})
    fill_stage(evaluation, cast.operator, "self")
    workflow.submit(evaluation, cast.operator)
    workflow.transition(evaluation, cast.county_reviewer, "county_start")
    evaluation.refresh_from_db()
    fill_stage(evaluation, cast.county_reviewer, "county", score_for=county_score, reason="专职人员不满两年")
    return evaluation


def row_html(html: str, line_id: str) -> str:
    match = re.search(rf'<tr data-line="{re.escape(line_id)}".*?</tr>', html, re.S)
    assert match, f"row {line_id} missing"
    return match.group(0)


def test_reviewer_sees_differences_highlighted_with_reasons(client, cast, reviewed):
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    response = client.get(reverse("evaluations:compare", args=[reviewed.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    row = row_html(html, "1.2")
    assert 'data-stage="county" data-testid="cell-score" data-diff="1"' in row
    assert "专职人员不满两年" in row
    assert "compare-diff-row" in row
    assert "data-diff" not in row_html(html, "1.1")
    # Line 5 is scored at the city stage only.
    assert "不评" in row_html(html, "5")
    assert response.context["diff_count"] == 1


def test_totals_and_star_per_stage(client, cast, reviewed):
    client.login(username=cast.city_admin.username, password=PASSWORD)
    response = client.get(reverse("evaluations:compare", args=[reviewed.pk]))
    summary = {s["stage"]: s for s in response.context["summary"]}
    assert summary["self"]["total"] == 95 and summary["self"]["max"] == 95
    assert summary["county"]["total"] == 94
    assert summary["self"]["star"] == "五星"  # default bands: 五星 ≥ 95
    assert summary["county"]["star"] == "四星"
    assert summary["city"]["total"] is None
    html = response.content.decode()
    assert 'data-stage="county"' in html and "四星" in html


def test_only_differences_filter(client, cast, reviewed):
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    response = client.get(reverse("evaluations:compare", args=[reviewed.pk]) + "?diff=1")
    assert [r.line_id for r in response.context["rows"]] == ["1.2"]


def test_community_does_not_see_county_work_in_progress(client, cast, reviewed):
    client.login(username=cast.operator.username, password=PASSWORD)
    response = client.get(reverse("evaluations:compare", args=[reviewed.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "专职人员不满两年" not in html
    assert "未公布" in row_html(html, "1.2")
    summary = {s["stage"]: s for s in response.context["summary"]}
    assert not summary["county"]["visible"]


def test_community_sees_county_after_return(client, cast, reviewed):
    workflow.return_to_community(reviewed, cast.county_reviewer, "请补充第1.2项材料", ["1.2"])
    client.login(username=cast.operator.username, password=PASSWORD)
    html = client.get(reverse("evaluations:compare", args=[reviewed.pk])).content.decode()
    assert "专职人员不满两年" in row_html(html, "1.2")


@pytest.mark.parametrize(("who", "status"), [("street_viewer", 200), ("outsider", 404), ("other_county_reviewer", 404)])
def test_scope(client, cast, evaluation, who, status):
    client.login(username=getattr(cast, who).username, password=PASSWORD)
    assert client.get(reverse("evaluations:compare", args=[evaluation.pk])).status_code == status
