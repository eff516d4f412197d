"""Summaries, star list and line table against hand-computed figures; scope and logging of exports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from orgs.models import AccessLog
from reports import summaries
from reports.exporters import LineTableExporter, StarListExporter, SummaryExporter
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db
D = Decimal


def read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_period_results_hand_computed(cast, period, sheets):
    results = {r.name: r for r in summaries.period_results(period, summaries.scoped_communities(cast.city_admin), cast.city_admin)}
    assert set(results) == {"东华一社区", "东华二社区", "西华一社区"}
    mine, sibling, other = results["东华一社区"], results["东华二社区"], results["西华一社区"]
    assert (mine.self_total, mine.county_total, mine.city_total, mine.star) == (D(94), D("93.5"), D("93.5"), "四星")
    assert (sibling.city_total, sibling.star) == (D(99), "五星")
    assert (other.self_total, other.county_total, other.city_total, other.star) == (D(95), D(86), None, "")
    assert (sibling.county_rank, mine.county_rank, other.county_rank) == (1, 2, 3)
    assert (sibling.final_rank, mine.final_rank, other.final_rank) == (1, 2, None)
    assert mine.latest_stage == "city" and other.latest_stage == "county"
    assert mine.lost_text == (
        "[市级复核] 1.3 −0.5分（设备不全：缺传真机）；3.1.1 −3分（台帐未联网）；"
        "3.5.2 −1分（就业困难人员就业率92%）；5 −2分（创新材料较少）"
    )
    assert other.lost_text == "[县级审核] 2.3 −3分（无援助制度）；3.6 −6分（未开发公益性岗位）"


def test_competition_ranks():
    assert summaries.competition_ranks([(1, D(90)), (2, D(95)), (3, D(90)), (4, None), (5, D(80))]) == {
        2: 1, 1: 2, 3: 2, 5: 4,
    }  # fmt: skip


def test_city_summary_xlsx(cast, period, sheets):
    rows = read_xlsx(SummaryExporter(cast.city_admin, period).export("xlsx"))
    assert rows[0][0] == "2025年度全市星级社区评审汇总表"
    header = rows[1]
    assert header[:6] == ["序号", "区（市、县）", "街道（乡镇）", "社区", "社区代码", "流程状态"]
    body = {r[3]: dict(zip(header, r, strict=True)) for r in rows[2:-1]}
    assert len(body) == 3
    mine = body["东华一社区"]
    assert (mine["社区自评分"], mine["县级审核分"], mine["市级复核分（最终得分）"]) == (94, 93.5, 93.5)
    assert (mine["流程状态"], mine["评审结论"], mine["星级"], mine["最终排名"]) == ("已公布", "列入评估", "四星", 2)
    assert "3.1.1 −3分（台帐未联网）" in mine["失分项（最新评审阶段）"]
    assert body["西华一社区"]["市级复核分（最终得分）"] is None and body["西华一社区"]["县级审核排名"] == 3
    assert rows[-1][0].startswith("导出时间：")


def test_county_summary_holds_only_its_county(cast, period, sheets):
    rows = read_xlsx(SummaryExporter(cast.county_reviewer, period, cast.county).export("xlsx"))
    body = rows[2:-1]
    assert {r[3] for r in body} == {"东华一社区", "东华二社区"}
    assert all(r[1] == "东城区" for r in body)
    ranks = {r[3]: r[11] for r in body}
    assert ranks == {"东华二社区": 1, "东华一社区": 2}  # ranked within the county


def test_summary_csv_and_docx(cast, period, sheets):
    from docx import Document

    text = SummaryExporter(cast.city_admin, period).export("csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][3] == "社区" and len(rows) == 4
    assert any(r[3] == "东华一社区" and r[8] == "93.5" for r in rows)
    doc = Document(io.BytesIO(SummaryExporter(cast.city_admin, period).export("docx")))
    table = doc.tables[0]
    assert len(table.rows) == 4 and table.rows[0].cells[3].text == "社区"


def test_star_list_grouped_by_district_and_star(cast, period, sheets):
    from docx import Document

    exporter = StarListExporter(cast.city_admin, period)
    rows = read_xlsx(exporter.export("xlsx"))
    assert rows[0][0] == "2025年度全市充分就业星级社区名单"
    # Only published sheets: the other county's sheet has passed the county only.
    assert rows[2:-1] == [
        [1, "东城区", "五星", "东华街道", "东华二社区", 99],
        [1, "东城区", "四星", "东华街道", "东华一社区", 93.5],
    ]
    doc = Document(io.BytesIO(exporter.export("docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "东城区" in text and "五星社区（1个）：东华街道东华二社区" in text and "四星社区（1个）：东华街道东华一社区" in text
    assert "共 2 个社区" in text


def test_line_table(cast, period, sheets):
    rows = read_xlsx(LineTableExporter(cast.city_admin, period).export("xlsx"))
    header = rows[1]
    assert header[:4] == ["区（市、县）", "街道（乡镇）", "社区", "评审阶段"]
    assert header[4] == "1.1（3分）" and header[-1] == "合计" and len(header) == 4 + 23 + 1
    body = {r[2]: dict(zip(header, r, strict=True)) for r in rows[2:-2]}
    assert body["东华一社区"]["评审阶段"] == "市级复核"
    assert body["东华一社区"]["3.1.1（12分）"] == 9 and body["东华一社区"]["合计"] == 93.5
    assert body["西华一社区"]["评审阶段"] == "县级审核" and body["西华一社区"]["5（5分）"] is None
    avg = dict(zip(header, rows[-2], strict=True))
    assert avg["区（市、县）"] == "平均分"
    assert avg["3.6（6分）"] == pytest.approx(4.0)  # (6 + 6 + 0) / 3
    assert avg["5（5分）"] == pytest.approx(3.5)  # (3 + 4) / 2: the county stage has no line 5


@pytest.mark.parametrize(
    "role,query,status,communities",
    [
        ("city_admin", "", 200, {"东华一社区", "东华二社区", "西华一社区"}),
        ("city_reviewer", "county", 200, {"东华一社区", "东华二社区"}),
        ("county_reviewer", "", 200, {"东华一社区", "东华二社区"}),
        ("county_reviewer", "other", 404, None),
        ("other_county_reviewer", "", 200, {"西华一社区"}),
        ("street_viewer", "", 200, {"东华一社区", "东华二社区"}),
        ("community_operator", "", 200, {"东华一社区"}),
    ],
)
def test_summary_download_scope(client, cast, period, sheets, role, query, status, communities):
    user = cast.users_by_role()[role]
    client.login(username=user.username, password=PASSWORD)
    url = reverse("reports:export", args=["summary", "xlsx"]) + "?period=2025"
    if query == "county":
        url += f"&county={cast.county.pk}"
    elif query == "other":
        url += f"&county={cast.other_county.pk}"
    resp = client.get(url)
    assert resp.status_code == status
    if status == 200:
        rows = read_xlsx(resp.content)
        assert {r[3] for r in rows[2:-1]} == communities
        log = AccessLog.objects.filter(user=user, kind="export").latest("at")
        assert log.detail["report"] == "summary" and log.detail["format"] == "xlsx"
        assert log.detail["period"] == 2025


def test_index_lists_documents_and_forms(client, cast, period, sheets):
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    resp = client.get(reverse("reports:index"))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "星级社区评审汇总表" in html and "充分就业星级社区名单" in html and "评审项得分明细表" in html
    assert "东华一社区" in html and "西华一社区" not in html
    assert reverse("reports:form_print", args=[sheets["mine"].pk]) in html


def test_unknown_report_and_period(client, cast, period):
    client.login(username=cast.city_admin.username, password=PASSWORD)
    assert client.get(reverse("reports:export", args=["nope", "xlsx"])).status_code == 404
    assert client.get(reverse("reports:export", args=["summary", "pdf"])).status_code == 404
    assert client.get(reverse("reports:export", args=["summary", "xlsx"]) + "?period=1999").status_code == 404
