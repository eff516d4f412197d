"""Permission table for the evaluations pages: role × url × method → status, on own and other unit."""

import pytest
from django.urls import reverse

from evaluations.models import Evaluation, LineScore, Stage, State
from tests.cast import PASSWORD

ROLES = ["city_admin", "city_reviewer", "county_reviewer", "street_viewer", "community_operator", "outsider"]


def _urls(own, other):
    return {
        "list": ("get", reverse("evaluations:list"), {}),
        "home": ("get", reverse("home"), {}),
        "detail_own": ("get", reverse("evaluations:detail", args=[own.pk]), {}),
        "detail_other": ("get", reverse("evaluations:detail", args=[other.pk]), {}),
        "save_self": ("post", reverse("evaluations:save_line", args=[own.pk, "1.2", "self"]),
                      {"score": "5", "revision": "0"}),
        "save_county": ("post", reverse("evaluations:save_line", args=[own.pk, "1.2", "county"]),
                        {"score": "5", "reason": ""}),
        "save_fact": ("post", reverse("evaluations:save_fact", args=[own.pk, "appraisal_system"]), {"value": "true"}),
        "innovation": ("post", reverse("evaluations:save_innovation", args=[own.pk]), {"innovation_text": "驿站"}),
        "submit": ("post", reverse("evaluations:transition", args=[own.pk, "submit"]), {}),
        "county_return": ("post", reverse("evaluations:transition", args=[own.pk, "county_return"]),
                          {"comment": "x", "lines": ["1.1"]}),
        "publish": ("post", reverse("evaluations:transition", args=[own.pk, "publish"]), {}),
        "bulk_pass": ("post", reverse("evaluations:bulk"), {"action": "county_pass", "ids": [own.pk]}),
        "adopt": ("post", reverse("evaluations:adopt", args=[own.pk]), {"scope": "all", "revision": "0"}),
        "answer_return": ("post", reverse("evaluations:answer_return", args=[own.pk, "1.2"]), {"reply": "已补"}),
        "periods": ("get", reverse("evaluations:periods"), {}),
        "period_new": ("get", reverse("evaluations:period_create"), {}),
    }


# Expected status per url, per role (in the order of ROLES). 302 = done/refused with a message and redirect.
TABLE = {
    "list":          [200, 200, 200, 200, 200, 200],
    "home":          [200, 200, 200, 200, 200, 200],
    "detail_own":    [200, 200, 200, 200, 200, 404],
    "detail_other":  [200, 200, 404, 404, 404, 200],
    "save_self":     [403, 403, 403, 403, 200, 404],
    "save_county":   [403, 403, 200, 403, 403, 404],
    "save_fact":     [200, 200, 200, 403, 200, 404],
    "innovation":    [403, 403, 403, 403, 200, 404],
    "submit":        [403, 403, 403, 403, 302, 404],
    "county_return": [403, 403, 302, 403, 403, 404],
    "publish":       [302, 302, 403, 403, 403, 404],
    "bulk_pass":     [403, 403, 302, 403, 403, 403],
    # In a draft nobody adopts, and without a return nobody answers one.
    "adopt":         [403, 403, 403, 403, 403, 404],
    "answer_return": [403, 403, 403, 403, 403, 404],
    "periods":       [200, 403, 403, 403, 403, 403],
    "period_new":    [200, 403, 403, 403, 403, 403],
}
CASES = [(url, role, status) for url, row in TABLE.items() for role, status in zip(ROLES, row, strict=True)]


@pytest.mark.parametrize("url_name,role,expected", CASES)
def test_permission_table(client, cast, period, url_name, role, expected):
    own = Evaluation.objects.get(period=period, community=cast.community)
    other = Evaluation.objects.get(period=period, community=cast.other_community)
    user = cast.users_by_role()[role]
    client.login(username=user.username, password=PASSWORD)
    method, url, data = _urls(own, other)[url_name]
    response = getattr(client, method)(url, data)
    assert response.status_code == expected, (url_name, role, response.content[:300].decode(errors="replace"))


def test_anonymous_is_sent_to_login(client, period, cast):
    own = Evaluation.objects.get(period=period, community=cast.community)
    response = client.get(reverse("evaluations:detail", args=[own.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sheet_renders_every_line_with_links(client, cast, evaluation):
    client.login(username=cast.operator.username, password=PASSWORD)
    html = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert html.count('data-line="') == 23
    assert "评估单位" in html and "东城区" in html and "东华街道" in html and "东华一社区" in html and "2026" in html
    assert "证明材料 (0)" in html
    assert 'data-testid="score-1.2-self"' in html
    assert 'data-testid="score-1.2-county"' not in html  # only the current stage's column is editable
    assert "/ 95 分" in html and "/ 100 分" in html


def test_inline_save_returns_row_with_error_and_totals(client, cast, evaluation):
    client.login(username=cast.operator.username, password=PASSWORD)
    url = reverse("evaluations:save_line", args=[evaluation.pk, "1.2", "self"])
    bad = client.post(url, {"score": "7", "revision": "0"}, HTTP_HX_REQUEST="true").content.decode()
    assert "得分 7 超出 0–5 分" in bad and 'value="7"' in bad
    ok = client.post(url, {"score": "4", "revision": "0"}, HTTP_HX_REQUEST="true").content.decode()
    assert "已保存" in ok and 'id="sheet-totals"' in ok and "hx-swap-oob" in ok
    stale = client.post(url, {"score": "3", "revision": "0"}, HTTP_HX_REQUEST="true").content.decode()
    assert "您的页面已过期" in stale and "得分由 空 改为 4" in stale
    assert LineScore.objects.get(evaluation=evaluation, stage=Stage.SELF, line_id="1.2").score == 4


def test_submit_lists_missing_lines(client, cast, evaluation):
    client.login(username=cast.operator.username, password=PASSWORD)
    client.post(reverse("evaluations:transition", args=[evaluation.pk, "submit"]))
    html = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert "社区自评尚未完成" in html and "第 3.1.1 行（社区自评）：尚未评分" in html
    evaluation.refresh_from_db()
    assert evaluation.state == State.DRAFT


def test_list_filters_and_overdue(client, cast, period):
    client.login(username=cast.city_admin.username, password=PASSWORD)
    html = client.get(reverse("evaluations:list"), {"period": period.pk, "district": cast.county.pk}).content.decode()
    assert "东华一社区" in html and "西华一社区" not in html
    html = client.get(reverse("evaluations:list"), {"period": period.pk, "overdue": "on"}).content.decode()
    assert html.count('data-testid="overdue"') == 3  # the fixture's deadlines lie in the past


def test_period_form_opens_period(client, cast, standard_version):
    client.login(username=cast.city_admin.username, password=PASSWORD)
    response = client.post(reverse("evaluations:period_create"), {
        "year": 2031, "name": "", "standard": standard_version.pk, "star_bands": "五星 95\n四星 90\n三星 85",
        "score_step": "0.5", "communities": [cast.community.pk, cast.sibling.pk],
    })
    assert response.status_code == 302
    assert Evaluation.objects.filter(period__year=2031).count() == 2
    bad = client.post(reverse("evaluations:period_create"), {
        "year": 2032, "standard": standard_version.pk, "star_bands": "三星 85\n五星 95", "score_step": "0.5",
        "communities": [cast.community.pk]}).content.decode()
    assert "星级档位有误" in bad
