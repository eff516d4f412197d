"""Issue 11.7: malformed multipart bodies answer 400 in the API's error format, never 500."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

BODIES = [
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"),  # no boundary
    ("multipart/form-data; boundary=", b"--\r\n"),  # empty boundary
]
# Cut off inside the part headers: parsed as "no file" -> the usual 422 validation answer.
TRUNCATED = ("multipart/form-data; boundary=abc", b"--abc\r\nContent-Disposition: form-data; name=\"file\"; filename")


@pytest.mark.parametrize(("content_type", "body"), BODIES)
def test_ledger_import_upload(cast, content_type, body):
    api = ApiClient(user=cast.operator)
    response = api.client.post("/api/ledgers/imports", data=body, content_type=content_type, headers=api._headers())
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] in ("malformed_request", "validation_error", "bad_request") and error["message"]


@pytest.mark.parametrize(("content_type", "body"), BODIES)
def test_evidence_upload(cast, evaluation, content_type, body):
    api = ApiClient(user=cast.operator)
    response = api.client.post(
        f"/api/evaluations/{evaluation.pk}/evidence", data=body, content_type=content_type, headers=api._headers()
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"]


def test_page_upload_without_boundary_is_a_400_page(cast):
    client = Client()
    client.force_login(cast.operator)
    response = client.post(reverse("ledgers:import"), data=BODIES[0][1], content_type="multipart/form-data")
    assert response.status_code == 400


def test_truncated_multipart_is_a_client_error(cast, evaluation):
    api = ApiClient(user=cast.operator)
    for url in ("/api/ledgers/imports", f"/api/evaluations/{evaluation.pk}/evidence"):
        response = api.client.post(url, data=TRUNCATED[1], content_type=TRUNCATED[0], headers=api._headers())
        assert 400 <= response.status_code < 500 and response.json()["error"]["message"]
