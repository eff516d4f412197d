"""Adopt instead of retype (issue 12 item 5): the service, its policy and the compare view's mark."""

import pytest

from evaluations import policy
from evaluations.models import AuditEvent, LineScore, Stage
from evaluations.presenters import Sheet, compare_rows
from evaluations.services.scores import adopt_lower, save_score
from evaluations.services.workflow import NotAllowed, StaleError, WorkflowError, transition

from .conftest import fill_stage

pytestmark = pytest.mark.django_db

REASON = "核查属实，按标准扣分"


def _county_reviewing(evaluation, cast):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    transition(evaluation, cast.county_reviewer, "county_start")
    evaluation.refresh_from_db()
    return evaluation


# Who may adopt, by role, while the county reviews (literal table).
ADOPT_TABLE = [("city_admin", False), ("city_reviewer", False), ("county_reviewer", True),
               ("street_viewer", False), ("community_operator", False)]


@pytest.mark.parametrize("role,allowed", ADOPT_TABLE)
def test_who_may_adopt(cast, evaluation, role, allowed):
    ev = _county_reviewing(evaluation, cast)
    assert policy.may_adopt(cast.users_by_role()[role], ev) is allowed


def test_county_adopts_the_whole_sheet_in_one_revision(cast, evaluation):
    ev = _county_reviewing(evaluation, cast)
    before = ev.revision
    out = adopt_lower(ev, cast.county_reviewer, None, REASON, expected_revision=before)
    standard = ev.period.standard.standard
    county_lines = [line.id for line in standard.stage_lines(Stage.COUNTY)]
    assert out.adopted == county_lines and out.skipped == []
    ev.refresh_from_db()
    assert ev.revision == before + 1
    scores = {ls.line_id: ls for ls in LineScore.objects.filter(evaluation=ev, stage=Stage.COUNTY)}
    for line in standard.stage_lines(Stage.COUNTY):
        assert scores[line.id].score == line.max and scores[line.id].adopted_from == Stage.SELF
        assert scores[line.id].reason == REASON
    events = AuditEvent.objects.filter(evaluation=ev, kind="score", stage=Stage.COUNTY)
    assert events.count() == len(county_lines)
    assert set(events.values_list("revision", flat=True)) == {before + 1}
    assert set(events.values_list("note", flat=True)) == {"采用社区自评得分"}
    assert ev.county_total is not None
    # A typed change clears the mark.
    save_score(ev, cast.county_reviewer, "1.1", Stage.COUNTY, "1", "扣分")
    assert LineScore.objects.get(evaluation=ev, stage=Stage.COUNTY, line_id="1.1").adopted_from == ""


def test_adopt_skips_lines_whose_lower_score_needs_a_reason(cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF, score_for=lambda line: 0 if line.id == "1.2" else line.max)
    transition(evaluation, cast.operator, "submit")
    transition(evaluation, cast.county_reviewer, "county_start")
    evaluation.refresh_from_db()
    out = adopt_lower(evaluation, cast.county_reviewer, ["1.1", "1.2"])
    assert out.adopted == ["1.1"]
    assert len(out.skipped) == 1 and "第 1.2 行" in out.skipped[0] and "扣分原因" in out.skipped[0]
    evaluation.refresh_from_db()
    out = adopt_lower(evaluation, cast.county_reviewer, ["1.2"], "无专职人员")
    assert out.adopted == ["1.2"]
    assert LineScore.objects.get(evaluation=evaluation, stage=Stage.COUNTY, line_id="1.2").reason == "无专职人员"


def test_adopt_a_section_and_a_line(cast, evaluation):
    ev = _county_reviewing(evaluation, cast)
    out = adopt_lower(ev, cast.county_reviewer, ["1.1", "1.2", "1.3"], REASON)
    assert out.adopted == ["1.1", "1.2", "1.3"]
    ev.refresh_from_db()
    again = adopt_lower(ev, cast.county_reviewer, ["1.1"], REASON)
    assert again.adopted == [] and again.skipped == []  # already the same: nothing changes
    ev.refresh_from_db()
    assert ev.revision == out.evaluation.revision


def test_adopt_refusals(cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    with pytest.raises(WorkflowError, match="不能采用下级评分"):
        adopt_lower(evaluation, cast.operator, None)
    ev = _county_reviewing(evaluation, cast)
    stale = ev.revision
    save_score(ev, cast.county_reviewer, "1.1", Stage.COUNTY, "1", "扣分")
    with pytest.raises(StaleError):
        adopt_lower(ev, cast.county_reviewer, ["1.1"], REASON, expected_revision=stale)
    with pytest.raises(NotAllowed):
        transition(ev, cast.operator, "county_pass")


def test_city_adopts_county_and_compare_marks_it(cast, evaluation):
    ev = _county_reviewing(evaluation, cast)
    adopt_lower(ev, cast.county_reviewer, None, REASON)
    ev.refresh_from_db()
    transition(ev, cast.county_reviewer, "county_pass")
    transition(ev, cast.city_reviewer, "city_start")
    ev.refresh_from_db()
    out = adopt_lower(ev, cast.city_reviewer, None)
    assert "5" not in out.adopted and any(s.startswith("第 5 行") for s in out.skipped)
    ev.refresh_from_db()
    assert LineScore.objects.get(evaluation=ev, stage=Stage.CITY, line_id="1.1").adopted_from == Stage.COUNTY
    sheet = Sheet(ev, cast.city_reviewer, begun_only=True)
    rows = {r.line_id: r for r in compare_rows(ev, sheet.stages, sheet.result)}
    assert rows["1.1"].cells[Stage.CITY].adopted_from == Stage.COUNTY
    assert rows["1.1"].cells[Stage.COUNTY].adopted_from == Stage.SELF
