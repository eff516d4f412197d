"""Which jobs a user may follow: their own, and shared jobs (imports) on units in their scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from orgs.models import User
from orgs.scoping import community_filter

from .models import Job


def visible_jobs(user: User) -> QuerySet[Job]:
    if not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    return Job.objects.filter(Q(owner=user) | (Q(shared=True) & community_filter(user, "unit")))


def own_jobs(user: User) -> QuerySet[Job]:
    return Job.objects.filter(owner=user).select_related("unit")


def job_for_user(user: User, pk: int) -> Job:
    """404 for a job the user may not follow (its existence is not revealed)."""
    try:
        return visible_jobs(user).select_related("unit").get(pk=pk)
    except Job.DoesNotExist as exc:
        raise Http404("未找到该任务，或您无权查看。") from exc
