"""One validation per ledger record: the page form, the API and the import refuse the same rows
with the same Chinese message on the same field (ledgers.models.check_record via Model.clean())."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from ledgers.models import HardshipRecognition, UnemploymentRegistration, ZeroEmploymentHousehold
from tests.api.conftest import ApiClient, assert_error
from tests.cast import PASSWORD
from tests.ledgers import factories as f
from tests.ledgers.test_imports import upload

pytestmark = pytest.mark.django_db

# (kind in the import, kind in the pages/API, parent, form fields, import header + row, field, column, message)
CASES = [
    (
        "zero", "zero", "household",
        {"recognized_on": "2025-03-01", "exited_on": "2025-05-01", "exit_reason": ""},
        ["户编号*", "认定日期*", "退出日期", "退出原因"], ["2025-03-01", "2025-05-01", ""],
        "exit_reason", "退出原因", "已填写退出日期，请选择退出原因",
    ),
    (
        "unemployment", "unemployment", "person",
        {"registered_on": "2025-03-01", "ended_on": "2025-02-01", "end_reason": "employed"},
        ["身份证号*", "失业登记日期*", "注销日期", "注销原因"], ["2025-03-01", "2025-02-01", "就业"],
        "ended_on", "注销日期", "“注销日期”不能早于“失业登记日期”",
    ),
    (
        "hardship", "hardship", "person",
        {"category": "4050", "recognized_on": "2025-03-01", "exited_on": "2025-01-01"},
        ["身份证号*", "困难类别*", "认定日期*", "退出日期"], ["4050人员", "2025-03-01", "2025-01-01"],
        "exited_on", "退出日期", "“退出日期”不能早于“认定日期”",
    ),
]


@pytest.mark.parametrize("import_kind, kind, parent_kind, form_data, head, row, field, column, message", CASES)
def test_form_api_and_import_refuse_the_same_row_alike(
    client, cast, settings, tmp_path, import_kind, kind, parent_kind, form_data, head, row, field, column, message
):
    settings.MEDIA_ROOT = str(tmp_path)
    hh = f.household(cast.community, code="Z01")
    person = f.person(cast.community, hh)
    parent = hh if parent_kind == "household" else person
    key = hh.code if parent_kind == "household" else person.id_number
    model = {"zero": ZeroEmploymentHousehold, "unemployment": UnemploymentRegistration,
             "hardship": HardshipRecognition}[kind]
    client.login(username="t_operator", password=PASSWORD)

    # The page form.
    response = client.post(reverse("ledgers:record_create", args=[kind, parent.pk]), form_data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [message]

    # The API (same form, same message, named field).
    api = ApiClient(cast.operator).post("/ledgers/records/" + kind, {"parent": parent.pk, **form_data})
    err = assert_error(api, 422)
    assert any(d["field"] == field and message in d["message"] for d in err["details"]), err

    # The import: the row is refused with the same message, in that column, and nothing is written.
    job = upload(client, import_kind, [head, [key, *row]])
    assert job.status == "rejected"
    assert [2, column, message] in job.summary["errors"]
    assert not model.objects.exists()


def test_import_takes_the_clearing_deadline_from_the_model(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    f.household(cast.community, code="Z02")
    client.login(username="t_operator", password=PASSWORD)
    job = upload(client, "zero", [["户编号*", "认定日期*"], ["Z02", "2025-01-31"]])
    assert job.status == "checked", job.summary["errors"]
    client.post(reverse("ledgers:import_apply", args=[job.pk]))
    zero = ZeroEmploymentHousehold.objects.get(household__code="Z02")
    assert zero.clear_deadline == date(2025, 2, 28)
    job = upload(client, "zero", [["户编号*", "认定日期*", "备注"], ["Z02", "2025-01-31", "复核"]])
    client.post(reverse("ledgers:import_apply", args=[job.pk]))
    zero.refresh_from_db()
    assert (zero.note, zero.clear_deadline) == ("复核", date(2025, 2, 28))
