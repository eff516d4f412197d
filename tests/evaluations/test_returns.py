"""Returns that reopen only what was returned (issue 12 item 3), stale workflow steps (issue 11 item 9)
and declared facts that keep their author (issue 12 item 8)."""

import pytest

from evaluations import policy
from evaluations.facts import checklist_fact_names
from evaluations.models import AuditEvent, Evaluation, FactAnswer, ReturnedLine, Stage, State
from evaluations.presenters import Sheet
from evaluations.services import workflow
from evaluations.services.scores import answer_fact, save_innovation_text, save_score
from evaluations.services.workflow import StaleError, WorkflowError, answer_return, transition

from .conftest import GOOD_FACTS, answer_facts, fill_stage

pytestmark = pytest.mark.django_db

COMMENTS = {"1.2": "专职人员证明不全", "2.1": "未见公示照片"}


def _returned(evaluation, cast):
    """Self stage filled, submitted, county returns 1.2 and 2.1 with a comment each."""
    names = checklist_fact_names(evaluation.period.standard.standard)
    answer_facts(evaluation, cast.operator, {k: v for k, v in GOOD_FACTS.items() if k in names})
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    evaluation.refresh_from_db()
    ev = transition(evaluation, cast.county_reviewer, "county_return", lines=["2.1", "1.2"],
                    line_comments=COMMENTS, expected_revision=evaluation.revision)
    return ev


# The returned-lines rule, written out: (line, community may edit its self cell) after the return.
LINE_TABLE = [("1.1", False), ("1.2", True), ("1.3", False), ("2.1", True), ("2.2", False), ("3.5.2", False),
              ("4", False)]
# (fact, community may edit it): only the facts feeding 1.2 (staff counts) and 2.1 (publication).
FACT_TABLE = [("staff_count", True), ("fulltime_staff_count", True), ("certified_staff_count", True),
              ("duties_published", True), ("badges_worn", True), ("platform_established", False),
              ("appraisal_system", False), ("serious_incident", False)]


@pytest.mark.parametrize("line_id,editable", LINE_TABLE)
def test_only_returned_lines_reopen(cast, evaluation, line_id, editable):
    ev = _returned(evaluation, cast)
    assert ev.state == State.DRAFT
    assert policy.may_edit_line(cast.operator, ev, Stage.SELF, True, line_id) is editable
    # Nobody else edits the self stage.
    assert policy.may_edit_line(cast.county_reviewer, ev, Stage.SELF, True, line_id) is False


@pytest.mark.parametrize("name,editable", FACT_TABLE)
def test_only_facts_feeding_returned_lines_reopen(cast, evaluation, name, editable):
    ev = _returned(evaluation, cast)
    assert policy.may_edit_facts(cast.operator, ev, name) is editable
    if editable:
        value = GOOD_FACTS[name]
        changed = (not value) if isinstance(value, bool) else value + 1
        assert answer_fact(ev, cast.operator, name, changed).changed
    else:
        with pytest.raises(WorkflowError, match="不影响被退回的评审项"):
            answer_fact(ev, cast.operator, name, GOOD_FACTS[name])


def test_services_refuse_lines_not_returned(cast, evaluation):
    ev = _returned(evaluation, cast)
    with pytest.raises(WorkflowError, match="第 1.1 行未被退回"):
        save_score(ev, cast.operator, "1.1", Stage.SELF, "1")
    with pytest.raises(WorkflowError, match="创新工作文字材料不可修改"):
        save_innovation_text(ev, cast.operator, "新写的材料")
    assert save_score(ev, cast.operator, "1.2", Stage.SELF, "2").changed


def test_each_returned_line_keeps_its_own_comment(cast, evaluation):
    ev = _returned(evaluation, cast)
    items = list(ReturnedLine.objects.filter(evaluation=ev).order_by("line_id"))
    assert [(i.line_id, i.comment, i.returned_by, i.is_open) for i in items] == [
        ("1.2", "专职人员证明不全", "county", True), ("2.1", "未见公示照片", "county", True)]
    assert all(i.transition.action == "county_return" for i in items)
    assert ev.returned_lines == ["1.2", "2.1"]


def test_general_comment_fills_lines_without_their_own(cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    ev = transition(evaluation, cast.county_reviewer, "county_return", comment="请补充材料", lines=["1.1", "1.2"],
                    line_comments={"1.2": "人员不足"})
    assert dict(ReturnedLine.objects.filter(evaluation=ev).values_list("line_id", "comment")) == {
        "1.1": "请补充材料", "1.2": "人员不足"}


@pytest.mark.parametrize("kwargs,message", [
    ({"lines": ["1.2"], "line_comments": {}}, "第 1.2 行尚未填写"),
    ({"lines": ["1.2"], "line_comments": {"1.2": "x", "2.1": "y"}}, "第 2.1 行填写了退回意见但未勾选"),
    ({"lines": [], "line_comments": {"1.2": "x"}}, "至少选择一个"),
])
def test_return_refusals(cast, evaluation, kwargs, message):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    with pytest.raises(WorkflowError, match=message):
        transition(evaluation, cast.county_reviewer, "county_return", **kwargs)
    assert not ReturnedLine.objects.exists()


def test_community_answers_each_comment_and_county_sees_old_to_new(cast, evaluation):
    ev = _returned(evaluation, cast)
    answer_return(ev, cast.operator, "1.2", "已补充专职人员证明", ev.revision)
    ev.refresh_from_db()
    answer_return(ev, cast.operator, "2.1", "已上传公示照片", ev.revision)
    ev.refresh_from_db()
    save_score(ev, cast.operator, "1.2", Stage.SELF, "2")
    ev.refresh_from_db()
    assert AuditEvent.objects.filter(evaluation=ev, kind="reply").count() == 2
    with pytest.raises(WorkflowError, match="未被退回"):
        answer_return(ev, cast.operator, "1.1", "x")
    transition(ev, cast.operator, "submit")
    ev.refresh_from_db()
    with pytest.raises(WorkflowError, match="不能答复"):
        answer_return(ev, cast.operator, "1.2", "再补一句")
    sheet = Sheet(ev, cast.county_reviewer)
    replies = {lid: item.reply for lid, item in sheet.return_items.items()}
    assert replies == {"1.2": "已补充专职人员证明", "2.1": "已上传公示照片"}
    changes = sheet.changes_since_return()
    line = Evaluation.objects.get(pk=ev.pk).period.standard.standard.line("1.2")
    assert [(c.what, c.old, c.new) for c in changes["1.2"]] == [("社区自评得分", int(line.max), 2)]
    assert "2.1" not in changes  # answered, not changed
    assert sheet.row("1.2").changes and not sheet.row("1.1").changes


def test_return_closes_when_the_county_passes_again(cast, evaluation):
    ev = _returned(evaluation, cast)
    transition(ev, cast.operator, "submit")
    transition(ev, cast.county_reviewer, "county_start")
    ev.refresh_from_db()
    # The county reviews the whole sheet again (the rule applies to the level the return went to).
    assert policy.reopened_lines(ev) is None
    fill_stage(ev, cast.county_reviewer, Stage.COUNTY)
    transition(ev, cast.county_reviewer, "county_pass")
    assert not ReturnedLine.objects.filter(evaluation=ev, is_open=True).exists()


def test_city_return_reopens_only_its_lines_for_the_county(cast, evaluation):
    ev = _returned(evaluation, cast)
    transition(ev, cast.operator, "submit")
    transition(ev, cast.county_reviewer, "county_start")
    ev.refresh_from_db()
    fill_stage(ev, cast.county_reviewer, Stage.COUNTY)
    transition(ev, cast.county_reviewer, "county_pass")
    ev = transition(ev, cast.city_reviewer, "city_return", lines=["3.4"], line_comments={"3.4": "就业台帐不符"})
    assert ev.state == State.COUNTY_REVIEWING
    table = {lid: policy.may_edit_line(cast.county_reviewer, ev, Stage.COUNTY, True, lid)
             for lid in ("1.1", "3.4", "4")}
    assert table == {"1.1": False, "3.4": True, "4": False}
    assert ReturnedLine.objects.get(evaluation=ev, returned_by="city").comment == "就业台帐不符"


def test_community_does_not_see_the_countys_own_messages(cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    transition(evaluation, cast.county_reviewer, "county_start")
    evaluation.refresh_from_db()
    save_score(evaluation, cast.county_reviewer, "1.2", Stage.COUNTY, "1", "")  # reason missing: a warning
    evaluation.refresh_from_db()
    ev = transition(evaluation, cast.county_reviewer, "county_return", lines=["1.2"],
                    line_comments={"1.2": "请补材料"})

    def county_cell(user):
        return next(c for c in Sheet(ev, user).row("1.2").cells if c.stage == Stage.COUNTY)

    assert any("扣分原因" in w for w in county_cell(cast.county_reviewer).warnings)
    assert county_cell(cast.operator).warnings == []


def test_pass_on_with_an_old_revision_is_refused_naming_the_change(cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    transition(evaluation, cast.county_reviewer, "county_start")
    evaluation.refresh_from_db()
    fill_stage(evaluation, cast.county_reviewer, Stage.COUNTY)
    seen = evaluation.revision
    save_score(evaluation, cast.county_reviewer, "1.1", Stage.COUNTY, "1", "核查后扣分")
    with pytest.raises(StaleError, match="第 1.1 行（县级审核）得分"):
        transition(evaluation, cast.county_reviewer, "county_pass", expected_revision=seen)
    evaluation.refresh_from_db()
    assert evaluation.state == State.COUNTY_REVIEWING
    assert transition(evaluation, cast.county_reviewer, "county_pass",
                      expected_revision=evaluation.revision).state == State.COUNTY_PASSED


def test_reviewer_correction_keeps_the_community_declaration(cast, evaluation):
    answer_fact(evaluation, cast.operator, "staff_count", 3)
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    transition(evaluation, cast.county_reviewer, "county_start")
    evaluation.refresh_from_db()
    answer_fact(evaluation, cast.county_reviewer, "staff_count", 2)
    answer = FactAnswer.objects.get(evaluation=evaluation, name="staff_count")
    assert (answer.value, answer.answered_by) == (2, cast.county_reviewer)
    assert (answer.declared_value, answer.declared_by, answer.corrected) == (3, cast.operator, True)
    for user in (cast.operator, cast.county_reviewer, cast.city_reviewer):
        row = next(r for r in Sheet(evaluation, user).fact_rows() if r["name"] == "staff_count")
        assert (row["value"], row["corrected"], row["declared_value"], row["declared_by"]) == (
            2, True, 3, str(cast.operator))
    # Setting it back to the declared value is no longer a correction.
    evaluation.refresh_from_db()
    answer_fact(evaluation, cast.county_reviewer, "staff_count", 3)
    assert FactAnswer.objects.get(evaluation=evaluation, name="staff_count").corrected is False


def test_workflow_describes_reply_events(cast, evaluation):
    ev = _returned(evaluation, cast)
    answer_return(ev, cast.operator, "1.2", "已补")
    event = AuditEvent.objects.filter(evaluation=ev, kind="reply").first()
    assert "答复了第 1.2 行的退回意见" in workflow.describe_event(event)
