"""Errors in Chinese inside the site's frame; links only for roles that may use them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.urls import reverse

from evaluations.models import Stage
from evaluations.services.evidence import EvidenceError, upload
from evaluations.services.workflow import transition
from tests.cast import PASSWORD
from tests.evaluations.conftest import fill_stage

ENGLISH_TITLES = ("Not Found", "Forbidden", "Server Error", "Bad Request")


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_unknown_sheet_is_a_chinese_404_in_the_frame(client, cast):
    _login(client, cast.operator)
    response = client.get(reverse("evaluations:detail", args=[999999]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在（404）" in html and 'data-testid="whoami"' in html and "返回首页" in html
    assert not any(title in html for title in ENGLISH_TITLES)


def test_unknown_url_404(client, cast):
    _login(client, cast.operator)
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_forbidden_page_is_chinese_with_the_reason(client, cast):
    _login(client, cast.street_viewer)
    response = client.get(reverse("ledgers:import"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问（403）" in html and 'data-testid="whoami"' in html
    assert "Forbidden" not in html


def test_htmx_errors_are_fragments_with_a_chinese_message(client, cast):
    _login(client, cast.operator)
    response = client.get(reverse("evaluations:detail", args=[999999]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 404
    assert html.startswith('<div class="alert alert-danger') and "data-error-message=" in html
    assert "<html" not in html


@override_settings(DEBUG=False)
def test_server_error_page_is_chinese(client, cast, monkeypatch):
    from orgs import errors

    request = client.get("/").wsgi_request
    response = errors.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500 and "系统出错（500）" in html and "Server Error" not in html


def test_csrf_failure_is_chinese(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    _login(client, cast.operator)
    response = client.post(reverse("password_change"), {})
    assert response.status_code == 403 and "页面已过期" in response.content.decode()


def test_street_viewer_sees_no_import_tab_and_no_token_menu(client, cast):
    _login(client, cast.street_viewer)
    html = client.get(reverse("ledgers:persons")).content.decode()
    assert reverse("ledgers:import") not in html
    assert "接口令牌" not in html
    assert client.get(reverse("api:tokens")).status_code == 403


@pytest.mark.parametrize("role, sees_tokens, sees_import", [
    ("community_operator", True, True),
    ("county_reviewer", True, False),
    ("city_reviewer", True, False),
    ("city_admin", True, True),
    ("street_viewer", False, False),
])
def test_menu_items_per_role(client, cast, role, sees_tokens, sees_import):
    _login(client, cast.users_by_role()[role])
    html = client.get(reverse("ledgers:persons")).content.decode()
    assert ("接口令牌" in html) is sees_tokens
    assert (f'href="{reverse("ledgers:import")}"' in html) is sees_import
    assert f'href="{reverse("help")}"' in html


def test_street_viewer_cannot_create_a_token(cast):
    from api.tokens import TokenError, create_token

    with pytest.raises(TokenError, match="不能创建接口令牌"):
        create_token(cast.street_viewer, "x")


@pytest.mark.parametrize("url_name", ["evaluations:period_create", "evaluations:periods", "evaluations:list"])
def test_one_menu_item_is_lit(client, cast, url_name):
    _login(client, cast.city_admin)
    html = client.get(reverse(url_name)).content.decode()
    assert html.count('class="nav-link active"') == 1


def test_disabled_account_is_told_so_only_with_the_right_password(client, cast):
    cast.operator.is_active = False
    cast.operator.save(update_fields=["is_active"])
    right = client.post(reverse("login"), {"username": cast.operator.username, "password": PASSWORD})
    assert "该账号已停用" in right.content.decode()
    wrong = client.post(reverse("login"), {"username": cast.operator.username, "password": "wrong-password-1"})
    html = wrong.content.decode()
    assert "该账号已停用" not in html and "用户名或密码不正确" in html


def test_lockout_page_is_chinese_in_the_frame(client, cast, settings):
    settings.AXES_ENABLED = True
    for _ in range(5):
        response = client.post(reverse("login"), {"username": cast.operator.username, "password": "bad-1"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "账号已暂时锁定" in html and "navbar" in html and "Forbidden" not in html


@pytest.mark.parametrize("size, shown", [
    (21 * 1024 * 1024, "大小为 21 MB，超过上限 20 MB"),
    (21_000_000, "大小为 20.1 MB，超过上限 20 MB"),
    (20 * 1024 * 1024 + 1, "大小为 20.1 MB，超过上限 20 MB"),
])
def test_upload_limit_message_states_the_real_size(cast, evaluation, settings, size, shown):
    settings.EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
    big = SimpleNamespace(name="a.pdf", size=size)  # refused on its declared size, before reading
    with pytest.raises(EvidenceError) as info:
        upload(evaluation, cast.operator, "1.2", big)
    assert shown in str(info.value)


def test_lower_county_score_without_reason_is_not_saved_green_and_red(client, cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    transition(evaluation, cast.county_reviewer, "county_start")
    evaluation.refresh_from_db()
    _login(client, cast.county_reviewer)
    url = reverse("evaluations:save_line", args=[evaluation.pk, "1.2", "county"])
    html = client.post(url, {"score": "3", "reason": "", "revision": str(evaluation.revision)},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "得分已保存，请补填扣分原因" in html
    assert "text-success" not in html.split("<template>")[0]
    assert "field-error" not in html.split("<template>")[0]


def test_a_street_viewers_old_token_no_longer_answers(client, cast):
    from api.models import ApiToken
    from api.tokens import hash_token

    raw = "sct_" + "x" * 40
    ApiToken.objects.create(user=cast.street_viewer, name="旧令牌", prefix=raw[:12], token_hash=hash_token(raw))
    assert client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


@pytest.mark.parametrize("phone, stored", [
    ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("0591-87654321", "0591-87654321"),
    ("059187654321", "059187654321"), ("010-12345678-123", "010-12345678-123"), ("", ""),
])
def test_user_phone_accepts_mainland_numbers(cast, phone, stored):
    from orgs.services import accounts

    user, _ = accounts.create_user(cast.city_admin, username="phone_ok", role="community_operator",
                                   unit=cast.sibling, phone=phone)
    assert user.phone == stored


@pytest.mark.parametrize("phone", ["123", "1381234567", "23812345678", "0591-123", "abc"])
def test_user_phone_refuses_other_text(cast, phone):
    from orgs.services import accounts

    with pytest.raises(accounts.AccountError, match="联系电话"):
        accounts.create_user(cast.city_admin, username="phone_test", role="community_operator",
                             unit=cast.sibling, phone=phone)


def test_star_list_csv_starts_with_serial_number():
    from reports.exporters import StarListExporter

    assert StarListExporter.headers(None)[0] == "序号"
