"""The sheet page's returns, answers, adopt and stale workflow forms (issue 12 items 3, 5, 6; issue 11 item 9)."""

import pytest
from django.urls import reverse

from evaluations.models import Evaluation, LineScore, ReturnedLine, Stage, State
from evaluations.services.workflow import transition
from tests.cast import PASSWORD

from .conftest import fill_stage

pytestmark = pytest.mark.django_db


def _submitted(evaluation, cast):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    evaluation.refresh_from_db()
    return evaluation


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)


def test_return_form_with_line_comments(client, cast, evaluation):
    ev = _submitted(evaluation, cast)
    _login(client, cast.county_reviewer)
    url = reverse("evaluations:transition", args=[ev.pk, "county_return"])
    client.post(url, {"lines": ["1.2", "2.1"], "line_comment-1.2": "人员不足", "line_comment-2.1": "未公示",
                      "revision": ev.revision})
    ev.refresh_from_db()
    assert ev.state == State.DRAFT
    assert dict(ReturnedLine.objects.filter(evaluation=ev).values_list("line_id", "comment")) == {
        "1.2": "人员不足", "2.1": "未公示"}
    _login(client, cast.operator)
    html = client.get(reverse("evaluations:detail", args=[ev.pk])).content.decode()
    assert 'data-testid="return-item-1.2"' in html and "人员不足" in html and 'data-testid="reply-1.2"' in html
    assert 'data-testid="score-1.2-self"' in html and 'data-testid="score-1.1-self"' not in html


def test_refused_return_keeps_what_was_typed(client, cast, evaluation):
    ev = _submitted(evaluation, cast)
    _login(client, cast.county_reviewer)
    url = reverse("evaluations:transition", args=[ev.pk, "county_return"])
    client.post(url, {"comment": "总体意见：材料不全", "line_comment-3.4": "台帐不符", "revision": ev.revision})
    ev.refresh_from_db()
    assert ev.state == State.SUBMITTED
    html = client.get(reverse("evaluations:detail", args=[ev.pk])).content.decode()
    assert "总体意见：材料不全</textarea>" in html and 'value="台帐不符"' in html
    assert "至少选择一个退回的评审项" in html


def test_stale_pass_on_form_gets_a_clear_message(client, cast, evaluation):
    ev = _submitted(evaluation, cast)
    transition(ev, cast.county_reviewer, "county_start")
    ev.refresh_from_db()
    fill_stage(ev, cast.county_reviewer, Stage.COUNTY)
    seen = ev.revision
    _login(client, cast.county_reviewer)
    client.post(reverse("evaluations:save_line", args=[ev.pk, "1.1", "county"]),
                {"score": "1", "reason": "扣分", "revision": seen})
    response = client.post(reverse("evaluations:transition", args=[ev.pk, "county_pass"]), {"revision": seen},
                           follow=True)
    html = response.content.decode()
    assert "您的页面已过期" in html and "第 1.1 行（县级审核）得分" in html
    assert Evaluation.objects.get(pk=ev.pk).state == State.COUNTY_REVIEWING


def test_adopt_all_and_one_line_through_the_page(client, cast, evaluation):
    ev = _submitted(evaluation, cast)
    transition(ev, cast.county_reviewer, "county_start")
    ev.refresh_from_db()
    _login(client, cast.county_reviewer)
    html = client.get(reverse("evaluations:detail", args=[ev.pk])).content.decode()
    assert 'data-testid="adopt-panel"' in html and 'data-testid="adopt-1.1"' in html
    row = client.post(reverse("evaluations:adopt", args=[ev.pk]), {"scope": "line:1.1", "revision": ev.revision},
                      HTTP_HX_REQUEST="true").content.decode()
    assert "已采用" in row and 'data-testid="adopted-1.1-county"' in row
    ev.refresh_from_db()
    client.post(reverse("evaluations:adopt", args=[ev.pk]),
                {"scope": "section:一", "reason": "核查属实", "revision": ev.revision})
    assert set(LineScore.objects.filter(evaluation=ev, stage=Stage.COUNTY).values_list("line_id", flat=True)) == {
        "1.1", "1.2", "1.3"}
    compare = client.get(reverse("evaluations:compare", args=[ev.pk])).content.decode()
    assert 'data-testid="adopted-1.2-county"' in compare


def test_reply_saves_and_shows_to_the_county(client, cast, evaluation):
    ev = _submitted(evaluation, cast)
    transition(ev, cast.county_reviewer, "county_return", lines=["1.2"], line_comments={"1.2": "人员不足"})
    ev.refresh_from_db()
    _login(client, cast.operator)
    html = client.post(reverse("evaluations:answer_return", args=[ev.pk, "1.2"]),
                       {"reply": "已补充人员证明", "revision": ev.revision}, HTTP_HX_REQUEST="true").content.decode()
    assert "已保存" in html and "已补充人员证明" in html
    _login(client, cast.county_reviewer)
    html = client.get(reverse("evaluations:detail", args=[ev.pk])).content.decode()
    assert 'data-testid="reply-text-1.2"' in html and "已补充人员证明" in html


def test_innovation_text_autosaves_on_change(client, cast, evaluation):
    _login(client, cast.operator)
    html = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert 'hx-trigger="submit, change"' in html and "data-warn-unsaved" in html
