"""A period with scored sheets in the cast's city, built through the models and the scoring bridge."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluations.models import Evaluation, LineScore, Period, Stage, State
from evaluations.scoring import refresh_cached_result, result_for


def line_meta(period: Period) -> list[tuple[str, Decimal, tuple[str, ...]]]:
    return [(line.id, Decimal(str(line.max)), tuple(line.stages)) for line in period.standard.standard.lines]


def score_sheet(
    evaluation: Evaluation,
    user,
    losses: dict[str, dict[str, tuple[Decimal, str]]],
    stages: tuple[str, ...] = (Stage.SELF, Stage.COUNTY, Stage.CITY),
    state: str = State.CITY_REVIEWED,
) -> Evaluation:
    """Full marks on every line of each stage, except `losses[stage][line] = (points lost, reason)`."""
    rows = []
    for stage in stages:
        for line_id, mx, line_stages in line_meta(evaluation.period):
            if stage not in line_stages:
                continue
            lost, reason = losses.get(stage, {}).get(line_id, (Decimal(0), ""))
            rows.append(
                LineScore(
                    evaluation=evaluation, line_id=line_id, stage=stage, score=mx - lost, reason=reason, updated_by=user
                )
            )
    LineScore.objects.bulk_create(rows)
    evaluation.state = state
    evaluation.save(update_fields=["state"])
    # No facts: the totals come from the scores alone (the ledgers' providers are not this test's subject).
    refresh_cached_result(evaluation, result_for(evaluation, facts={}))
    evaluation.refresh_from_db()
    return evaluation


@pytest.fixture
def period(cast, standard_version):
    return Period.objects.create(
        year=2025, name="2025年度", standard=standard_version, star_bands=[], created_by=cast.city_admin
    )


@pytest.fixture
def sheets(cast, period):
    """Three scored sheets: the cast's community (四星 by hand), its sibling (五星), the other county's."""
    D = Decimal
    mine = score_sheet(
        Evaluation.objects.create(period=period, community=cast.community),
        cast.city_reviewer,
        {
            Stage.SELF: {"3.5.2": (D(1), "")},
            Stage.COUNTY: {"3.5.2": (D(1), "就业困难人员就业率92%"), "1.3": (D("0.5"), "设备不全：缺传真机")},
            Stage.CITY: {
                "3.5.2": (D(1), "就业困难人员就业率92%"),
                "1.3": (D("0.5"), "设备不全：缺传真机"),
                "5": (D(2), "创新材料较少"),
                "3.1.1": (D(3), "台帐未联网"),
            },
        },
        state=State.PUBLISHED,
    )
    sibling = score_sheet(
        Evaluation.objects.create(period=period, community=cast.sibling),
        cast.city_reviewer,
        {Stage.CITY: {"5": (D(1), "特色一般")}},
        state=State.PUBLISHED,
    )
    other = score_sheet(
        Evaluation.objects.create(period=period, community=cast.other_community),
        cast.city_reviewer,
        {
            Stage.SELF: {},
            Stage.COUNTY: {"2.3": (D(3), "无援助制度"), "3.6": (D(6), "未开发公益性岗位")},
        },
        stages=(Stage.SELF, Stage.COUNTY),
        state=State.COUNTY_PASSED,
    )
    return {"mine": mine, "sibling": sibling, "other": other}
