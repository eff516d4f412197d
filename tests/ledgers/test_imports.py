"""Import: dry run, row errors, all-or-nothing, update by ID number, cross-community flag; export masking."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ledgers.models import Employer, Household, ImportJob, LedgerEvent, Person, UnemploymentRegistration
from orgs.models import AccessLog
from tests.cast import PASSWORD
from tests.ledgers import factories as f
from tests.ledgers.xlsx import xlsx

pytestmark = pytest.mark.django_db
HEAD = ["户编号", "与户主关系", "姓名*", "身份证号*", "联系电话", "有劳动能力", "有就业愿望", "残疾人"]


def upload(client, kind, rows, community=None):
    data = {"kind": kind, "file": xlsx(rows)}
    if community:
        data["community"] = community.pk
    response = client.post(reverse("ledgers:import"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("created_at")


@pytest.fixture
def operator(client, cast):
    client.login(username="t_operator", password=PASSWORD)
    return client


def test_dry_run_then_apply_then_update_by_id(operator, cast):
    a, b = f.make_id("19700101"), f.make_id("19900505", female=True)
    rows = [HEAD, ["A01", "户主", "赵一", a, "13812345678", "是", "是", "否"],
            ["A01", "配偶", "钱二", b.lower(), "", "是", "否", "是"]]
    job = upload(operator, "persons", rows)
    assert job.status == "checked", job.summary["errors"]
    assert (job.summary["creates"], job.summary["updates"], job.summary["error_count"]) == (2, 0, 0)
    assert Person.objects.count() == 0  # dry run writes nothing
    page = operator.get(reverse("ledgers:import_detail", args=[job.pk])).content.decode()
    assert "新增 2" in page
    operator.post(reverse("ledgers:import_apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "applied"
    qian = Person.objects.get(id_number=b)
    assert qian.household == Person.objects.get(id_number=a).household
    assert (qian.sex, qian.wish_to_work, qian.is_disabled) == ("F", False, True)
    assert LedgerEvent.objects.filter(action="import").count() == 1
    # Same ID again: update, not duplicate.
    job2 = upload(operator, "persons", [HEAD, ["A01", "配偶", "钱二妹", b, "", "是", "是", "是"]])
    assert (job2.summary["creates"], job2.summary["updates"]) == (0, 1)
    operator.post(reverse("ledgers:import_apply", args=[job2.pk]))
    assert Person.objects.count() == 2
    assert Person.objects.get(id_number=b).name == "钱二妹"


def test_row_errors_reject_whole_file(operator, cast):
    good = f.make_id()
    rows = [HEAD, ["A01", "户主", "孙三", good, "", "是", "是", "否"],
            ["A02", "户主", "李四", "110105194912310021", "", "是", "是", "否"],
            ["A03", "户主", "", f.make_id(), "12345", "也许", "是", "否"]]
    job = upload(operator, "persons", rows)
    assert job.status == "rejected"
    errors = {(r, c): m for r, c, m in job.summary["errors"]}
    assert "校验位错误" in errors[(3, "身份证号")]
    assert errors[(4, "姓名")] == "必填，不能为空"
    assert "联系电话" in errors[(4, "联系电话")] and "是" in errors[(4, "有劳动能力")]
    page = operator.get(reverse("ledgers:import_detail", args=[job.pk])).content.decode()
    assert "第3行" in page and "校验位错误" in page
    response = operator.post(reverse("ledgers:import_apply", args=[job.pk]))
    assert response.status_code == 302
    assert Person.objects.count() == 0 and Household.objects.count() == 0


def test_cross_community_duplicate_flagged(operator, cast):
    existing = f.person(cast.other_community, name="周六")
    job = upload(operator, "persons", [HEAD, ["", "", "周六", existing.id_number, "", "是", "是", "否"]])
    assert job.status == "rejected"
    assert "西华一社区" not in job.summary["errors"][0][2]  # the operator is not told where (issue 11.5)
    assert "已在本市其他社区的台帐中登记" in job.summary["errors"][0][2]
    assert Person.objects.filter(id_number=existing.id_number).count() == 1


def test_registration_import_needs_known_person_and_valid_dates(operator, cast):
    p = f.person(cast.community)
    head = ["身份证号*", "失业登记日期*", "注销日期", "注销原因"]
    job = upload(operator, "unemployment", [head, [p.id_number, "2025-01-31", "2025-01-01", "就业"],
                                            [f.make_id(), "2025-02-01", "", ""]])
    msgs = [(r, c, m) for r, c, m in job.summary["errors"]]
    assert (2, "注销日期", "“注销日期”不能早于“失业登记日期”") in msgs
    assert msgs[1][0] == 3 and "请先导入人员台帐" in msgs[1][2]
    job = upload(operator, "unemployment", [head, [p.id_number, "2025/01/31", "", ""]])
    operator.post(reverse("ledgers:import_apply", args=[job.pk]))
    assert UnemploymentRegistration.objects.get(person=p).registered_on.isoformat() == "2025-01-31"


def test_employer_credit_code_only_warns(operator, cast):
    from stdnum.cn import uscc

    body = "91330106MA2GLXWP2"
    wrong = body + ("0" if uscc.calc_check_digit(body) != "0" else "1")
    job = upload(operator, "employers", [["单位名称*", "统一社会信用代码"], ["示范科技有限公司", wrong]])
    assert job.status == "checked" and "校验位不符" in job.summary["warnings"][0][2]
    operator.post(reverse("ledgers:import_apply", args=[job.pk]))
    assert Employer.objects.get().credit_code_warning


def test_not_xlsx_and_missing_header(operator, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = operator.post(reverse("ledgers:import"), {"kind": "persons", "file": SimpleUploadedFile("a.xlsx", b"nope")})
    assert "无法读取该文件" in r.content.decode()
    # The header is read by the background dry run: its page shows the error and nothing is kept.
    r = operator.post(reverse("ledgers:import"), {"kind": "persons", "file": xlsx([["姓名"], ["x"]])}, follow=True)
    page = r.content.decode()
    assert "缺少必填列：身份证号" in page and 'data-state="failed"' in page
    job = ImportJob.objects.get()
    assert job.status == "rejected" and not job.file


def test_template_has_chinese_headers_and_dropdowns(operator):
    r = operator.get(reverse("ledgers:import_template", args=["hardship"]))
    wb = load_workbook(BytesIO(r.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["身份证号*", "困难类别*", "认定日期*", "退出日期", "备注"]
    assert ws.data_validations.dataValidation


@pytest.mark.parametrize(("who", "masked"), [("t_operator", True), ("t_street", True)])
def test_export_masked_and_logged(client, cast, who, masked):
    p = f.person(cast.community, phone="13812345678", is_disabled=True)
    client.login(username=who, password=PASSWORD)
    r = client.get(reverse("ledgers:export", args=["persons"]))
    ws = load_workbook(BytesIO(r.content)).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[1][3] == p.id_number[:6] + "********" + p.id_number[-4:]
    assert "138****5678" in rows[1]
    assert ("残疾人" in rows[0]) is (who == "t_operator")  # sensitive columns only for roles that need them
    assert AccessLog.objects.filter(kind="export", user__username=who).exists()


def test_full_export_only_for_unmask_roles(client, cast):
    p = f.person(cast.community)
    client.login(username="t_operator", password=PASSWORD)
    ws = load_workbook(BytesIO(client.get(reverse("ledgers:export", args=["persons"]) + "?full=1").content)).active
    assert ws.cell(row=2, column=4).value == p.id_number
    client.login(username="t_street", password=PASSWORD)
    ws = load_workbook(BytesIO(client.get(reverse("ledgers:export", args=["persons"]) + "?full=1").content)).active
    assert ws.cell(row=2, column=4).value != p.id_number
