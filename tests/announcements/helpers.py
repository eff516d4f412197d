"""Set-up shared by tests that publish: a notice whose window has ended, holding the sheet."""

from __future__ import annotations

import datetime

from announcements.models import Notice, NoticeEntry
from evaluations.models import Evaluation


def ended_notice(evaluation: Evaluation, user, *, ends_on: datetime.date | None = None) -> Notice:
    """Test set-up only (services.start_notice is the production path): the sheet's entry on a notice
    whose window ended yesterday, so publication is not refused for the window."""
    ends = ends_on or datetime.date.today() - datetime.timedelta(days=1)
    notice = Notice.objects.create(
        period=evaluation.period, number=(Notice.objects.filter(period=evaluation.period).count() + 1),
        title=f"{evaluation.period.name}公示", starts_on=ends - datetime.timedelta(days=7), ends_on=ends,
        working_days=5, how_to_object="来电", started_by=user)
    NoticeEntry.objects.create(
        notice=notice, evaluation=evaluation, community=evaluation.community, district="", street="",
        community_name=evaluation.community.name, total=evaluation.city_total, star=evaluation.star)
    return notice
