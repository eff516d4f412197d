"""Report downloads through the API: the reports app's writers, scope and access log."""

import pytest

from orgs.models import AccessLog
from tests.api.conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db


def test_list_and_download_an_export(cast, period):
    client = ApiClient(cast.county_reviewer)
    reports = client.get("/reports").json()
    assert reports, "the reports app registers exporters"
    first = reports[0]
    fmt = "xlsx" if "xlsx" in first["formats"] else first["formats"][0]
    response = client.get(f"/reports/{first['identifier']}/{fmt}", {"period": period.year})
    assert response.status_code == 200, response.content[:300]
    assert "attachment" in response["Content-Disposition"]
    assert AccessLog.objects.filter(user=cast.county_reviewer, kind="export").count() == 1
    assert_error(client.get(f"/reports/{first['identifier']}/nope"), 404)
    assert_error(client.get(f"/reports/{first['identifier']}/{fmt}", {"county": cast.other_county.pk}), 404)


def test_form_download_in_scope_only(cast, period, evaluation):
    mine = ApiClient(cast.operator).get(f"/evaluations/{evaluation.pk}/form/xlsx")
    assert mine.status_code == 200 and mine.content[:2] == b"PK"
    assert_error(ApiClient(cast.outsider).get(f"/evaluations/{evaluation.pk}/form/xlsx"), 404)
    assert_error(ApiClient(cast.operator).get(f"/evaluations/{evaluation.pk}/form/exe"), 422)
