"""The sheet's line and fact rows (rendered by Jinja2, config/jinja2.py): typed text is escaped there
as on every other page, and the page, the autosave fragment print the same row."""

import pytest

from evaluations.services import scores as score_service
from evaluations.services import workflow

from .conftest import fill_stage

pytestmark = pytest.mark.django_db

TYPED = '<img src=x onerror="alert(1)">扣分'


@pytest.fixture
def county_reviewing(cast, evaluation):
    fill_stage(evaluation, cast.operator, "self")
    ev = workflow.submit(evaluation, cast.operator)
    return workflow.transition(ev, cast.county_reviewer, "county_start")


def test_a_typed_reason_is_escaped_on_the_page_and_in_the_fragment(client, cast, county_reviewing):
    ev = county_reviewing
    line = ev.period.standard.standard.stage_lines("county")[0]
    score_service.save_score(ev, cast.county_reviewer, line.id, "county", 0, TYPED)
    client.force_login(cast.county_reviewer)
    page = client.get(f"/evaluations/{ev.pk}/").content.decode()
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;扣分" in page or "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;扣分" in page
    assert "<img src=x" not in page
    ev.refresh_from_db()
    fragment = client.post(f"/evaluations/{ev.pk}/line/{line.id}/county/",
                           {"score": "0", "reason": TYPED + "！", "revision": ev.revision},
                           HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="line-saved"' in fragment
    assert "<img src=x" not in fragment and "&lt;img src=x" in fragment


def test_the_row_of_the_page_and_of_the_autosave_are_the_same(client, cast, evaluation):
    line = evaluation.period.standard.standard.stage_lines("self")[0]
    client.force_login(cast.operator)
    fragment = client.post(f"/evaluations/{evaluation.pk}/line/{line.id}/self/",
                           {"score": "0", "revision": evaluation.revision}, HTTP_HX_REQUEST="true").content.decode()
    page = client.get(f"/evaluations/{evaluation.pk}/").content.decode()
    dom_id = "line-" + line.id.replace(".", "-")
    start = f'<tr id="{dom_id}"'
    row_in_page = page[page.index(start): page.index("</tr>", page.index(start))]
    row_in_fragment = fragment[fragment.index(start): fragment.index("</tr>")]
    # The same row, but for the 已保存 note the fragment adds under the box.
    assert row_in_fragment.replace('<div class="small text-success" data-testid="line-saved">已保存</div>', "") \
        .split() == row_in_page.split()
    assert f'hx-post="/evaluations/{evaluation.pk}/line/{line.id}/self/"' in row_in_page
    assert f'href="/evaluations/{evaluation.pk}/evidence/{line.id}/"' in row_in_page
