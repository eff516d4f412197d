import datetime

import pytest

from evaluations.models import Evaluation, PeriodChange, Stage
from evaluations.services.periods import PeriodError, open_period, update_period_settings
from evaluations.services.workflow import NotAllowed, transition

from .conftest import fill_stage


def test_open_period_creates_one_sheet_per_community(period, cast):
    assert period.evaluations.count() == 3
    assert period.star_bands == [{"name": "五星", "min": 95}, {"name": "四星", "min": 90}, {"name": "三星", "min": 85}]
    assert PeriodChange.objects.get(period=period).action == "open"


def test_open_period_validates_in_chinese(cast, standard_version, period):
    with pytest.raises(PeriodError, match="2026 年度的评估期已存在"):
        open_period(cast.city_admin, year=2026, name="", standard=standard_version, communities=[cast.community])
    with pytest.raises(PeriodError, match="星级档位有误"):
        open_period(cast.city_admin, year=2027, name="", standard=standard_version, communities=[cast.community],
                    star_bands=[{"name": "三星", "min": 85}, {"name": "五星", "min": 95}])
    with pytest.raises(PeriodError, match="计分步长有误"):
        open_period(cast.city_admin, year=2027, name="", standard=standard_version, communities=[cast.community],
                    score_step="0.3")
    with pytest.raises(PeriodError, match="不是社区"):
        open_period(cast.city_admin, year=2027, name="", standard=standard_version, communities=[cast.street])
    with pytest.raises(PeriodError, match="不能早于"):
        open_period(cast.city_admin, year=2027, name="", standard=standard_version, communities=[cast.community],
                    self_deadline=datetime.date(2027, 5, 1), county_deadline=datetime.date(2027, 4, 1))
    with pytest.raises(NotAllowed):
        open_period(cast.city_reviewer, year=2027, name="", standard=standard_version, communities=[cast.community])


def test_settings_change_before_first_submission_and_freeze_after(period, cast, evaluation):
    update_period_settings(period, cast.city_admin, star_bands=[{"name": "五星", "min": 96}],
                           score_step="1", communities=[cast.community, cast.sibling])
    period.refresh_from_db()
    assert period.star_bands == [{"name": "五星", "min": 96}] and period.score_step == 1
    assert not Evaluation.objects.filter(period=period, community=cast.other_community).exists()
    assert PeriodChange.objects.filter(period=period, action="update").count() == 1
    update_period_settings(period, cast.city_admin, score_step="0.5")
    fill_stage(evaluation, cast.operator, Stage.SELF)
    # A community that has started cannot be removed.
    with pytest.raises(PeriodError, match="已开始填报"):
        update_period_settings(period, cast.city_admin, communities=[cast.sibling])
    transition(evaluation, cast.operator, "submit")
    with pytest.raises(PeriodError, match="设置已冻结"):
        update_period_settings(period, cast.city_admin, name="新名称")
    with pytest.raises(PeriodError, match="设置已冻结"):
        update_period_settings(period, cast.city_admin, city_deadline=datetime.date(2026, 12, 31))
    period.refresh_from_db()
    assert period.settings_locked and period.name == "2026年度评审"
