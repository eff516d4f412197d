"""The register's part of the demo city (called by seed_demo after the 2026 sheets are walked): an appeal
decided by the second city reviewer, a revoked star, and an expert panel half-way through its scoring."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.models import Evaluation, State

from .models import Award, PanelRating
from .services import appeals, awards, panel

# A minimal valid PDF: the demo's decision document and appeal evidence.
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
APPEAL_COMMUNITY = 7  # 和平社区: published in 2026, appeals; held a star 2024-2026 (eligible nationally)
PANEL_COMMUNITY = 5  # 翠竹社区: under city review in 2026


def seed_register(org: dict[str, Any], communities: list[Any]) -> str:
    operators = org["operators"]
    first_reviewer, second_reviewer = org["city_reviewers"][:2]
    admin = org["city_admin"]
    done = []

    sheet = Evaluation.objects.get(period__year=2026, community=communities[APPEAL_COMMUNITY])
    if sheet.state == State.PUBLISHED and not sheet.appeals.exists():
        appeal = appeals.file_appeal(
            sheet, operators[sheet.community.code],
            "第 5 行创新工作：我社区“就业服务微信群”已覆盖全部登记失业人员，市级评分未体现，请予复核。",
            [SimpleUploadedFile("微信群服务记录.pdf", DEMO_PDF)])
        appeals.keep(appeal, second_reviewer,
                     "经调阅材料并电话回访，创新做法与上年基本相同，推广价值一般，维持原评分。")
        done.append(f"{sheet.community.name}的复核申请已由{second_reviewer.display_name}审理（维持原结果）")

    # Not one of the communities held three years running (those stay eligible for national recommendation).
    running = [communities[i].pk for i in (0, 4, 7, 8)]
    award = (Award.objects.filter(period__year=2025, status="valid").exclude(community_id__in=running)
             .order_by("community__code").first())
    if award is not None:
        awards.change_status(award, admin, "revoke",
                             "2026 年 6 月发生集体上访事件，经核实社区处置不力，按动态管理规定予以摘牌。",
                             SimpleUploadedFile("摘牌决定.pdf", DEMO_PDF))
        done.append(f"{award.community.name}的 2025 年度星级已摘牌（证书 {award.certificate_no}）")

    reviewing = Evaluation.objects.filter(period__year=2026, community=communities[PANEL_COMMUNITY],
                                          state=State.CITY_REVIEWING).first()
    if reviewing is not None and not PanelRating.objects.filter(evaluation=reviewing).exists():
        county_raters = [u for u in org["county_reviewers"] if u.unit_id != reviewing.community.county_id]
        raters = [second_reviewer, *county_raters[:2]]
        panel.assign(reviewing, first_reviewer, [u.pk for u in raters])
        rating = PanelRating.objects.get(evaluation=reviewing, rater=county_raters[0])
        panel.rate(rating, county_raters[0], "4", "做法有特色，可在全区推广。")
        done.append(f"{reviewing.community.name}的创新工作专家组（3 人，已评 1 人）")
    return "名录与复核：" + "；".join(done) if done else "名录与复核：已存在，未改动"
