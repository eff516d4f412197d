"""Labels from the standard's vocabulary, one number format for scores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations import period_log
from evaluations.services.periods import PeriodError, update_period_settings
from evaluations.views_history import show_value
from standards.numbers import format_points, points_cell
from tests.cast import PASSWORD


@pytest.mark.parametrize("value, text", [
    (Decimal("89.50"), "89.5"), (Decimal("94.00"), "94"), (94, "94"), (12.0, "12"), ("2.25", "2.25"),
    (None, ""), (Decimal("0"), "0"),
])
def test_one_format_for_scores(value, text):
    assert format_points(value) == text


def test_score_cells_are_whole_numbers_when_whole():
    assert points_cell(Decimal("12.00")) == 12 and isinstance(points_cell(Decimal("12.00")), int)
    assert points_cell(Decimal("2.5")) == 2.5


def test_snapshot_in_history_uses_fact_labels():
    text = show_value({"households_to_visit": 13, "visits_without_record": 0},
                      {"households_to_visit": "应走访户数", "visits_without_record": "有走访无记录户数"})
    assert text == "应走访户数：13；有走访无记录户数：0"
    assert "_" not in text


def test_period_log_reads_as_sentences():
    lines = period_log.describe({
        "score_step": {"old": "0.5", "new": "1"},
        "star_bands": {"old": [{"name": "五星", "min": 95}], "new": [{"name": "五星", "min": 96}]},
        "communities": {"added": ["C010101"], "removed": []},
    })
    assert lines == [
        "计分步长：0.5 分 → 1 分",
        "星级档位：五星 ≥ 95 分 → 五星 ≥ 96 分",
        "参加社区：加入 1 个（代码 C010101）",
    ]


def test_star_band_error_has_no_json_path(cast, period):
    with pytest.raises(PeriodError) as info:
        update_period_settings(period, cast.city_admin, star_bands=[{"name": "五星", "min": 95},
                                                                    {"name": "四星", "min": 99}])
    assert "星级档次必须按下限从高到低排列" in info.value.message
    assert "star_bands" not in info.value.message


def test_period_edit_page_shows_log_without_raw_dicts(client, cast, period):
    update_period_settings(period, cast.city_admin, score_step=Decimal("1"))
    client.login(username=cast.city_admin.username, password=PASSWORD)
    html = client.get(reverse("evaluations:period_edit", args=[period.pk])).content.decode()
    assert "计分步长：0.5 分 → 1 分" in html
    log = html[html.index('data-testid="period-log"'):]
    assert "{&#x27;" not in log and "score_step" not in log
    assert 'class="form-control' in html and 'class="form-select' in html  # the form is styled


def test_periods_listed_newest_first(client, cast, period, standard_version):
    from evaluations.services.periods import open_period

    for year in (2025, 2027):
        open_period(cast.city_admin, year=year, name=f"{year}年度", standard=standard_version,
                    communities=[cast.community])
    client.login(username=cast.city_admin.username, password=PASSWORD)
    html = client.get(reverse("evaluations:periods")).content.decode()
    assert html.index("2027年度") < html.index("2026年度") < html.index("2025年度")
