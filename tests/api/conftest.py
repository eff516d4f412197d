"""API test helpers: a client that sends a bearer token, and a period with sheets for the cast."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from api.tokens import create_token
from orgs.scoping import can


class ApiClient:
    """Django test client speaking JSON with `Authorization: Bearer <token>`."""

    def __init__(self, user=None, raw_token: str | None = None):
        self.client = Client()
        self.user = user
        self.token = raw_token
        if user is not None and raw_token is None:
            if can(user, "use_api"):
                _, self.token = create_token(user, f"test-{user.username}")
            else:
                # Roles without API tokens (street viewers) reach the API through their browser session.
                self.client.force_login(user)

    def _headers(self, extra=None):
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def get(self, url, params=None, **kw):
        return self.client.get("/api" + url, params or {}, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, url, **kw):
        return self.client.delete("/api" + url, headers=self._headers(kw.pop("headers", None)), **kw)

    def send(self, method, url, data=None, raw: bytes | str | None = None, content_type="application/json", **kw):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        fn = getattr(self.client, method.lower())
        return fn("/api" + url, body, content_type=content_type, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, url, data=None, **kw):
        return self.send("post", url, data, **kw)

    def put(self, url, data=None, **kw):
        return self.send("put", url, data, **kw)

    def patch(self, url, data=None, **kw):
        return self.send("patch", url, data, **kw)


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error format: {"error": {"code", "message" (Chinese), "details": [...]}}."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"code", "message", "details"}, err
    assert isinstance(err["details"], list)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]), err["message"]
    if code is not None:
        assert err["code"] == code, err
    return err


@pytest.fixture
def api_for(cast):
    made: dict[str, ApiClient] = {}

    def make(user) -> ApiClient:
        if user.username not in made:
            made[user.username] = ApiClient(user)
        return made[user.username]

    return make


@pytest.fixture
def other_evaluation(period, cast):
    from evaluations.models import Evaluation

    return Evaluation.objects.get(period=period, community=cast.other_community)
