"""The answer to a registration of an ID number already on another community's ledger.

Who may see where: a role whose scope covers the other community (its county, the city) is told its
name; anyone else (a community operator, a county reviewer of another district) only that the person
is registered elsewhere in the city and whom to ask — the reviewers of the operator's own county, who
see the details on the 重复登记 page. Every refused attempt is recorded there (page, API and import).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from orgs.models import Role, Unit, User
from orgs.scoping import can, visible_communities

from .models import DuplicateAttempt


def whom_to_ask(community: Unit) -> str:
    county = community.county if community.county_id else None
    reviewers = []
    if county is not None:
        reviewers = [
            u.display_name or u.username
            for u in User.objects.filter(role=Role.COUNTY_REVIEWER, unit=county, is_active=True).order_by("username")[:3]
        ]
    where = f"{county.name}审核员" if county is not None else "区（市、县）审核员"
    return where + (f"（{'、'.join(reviewers)}）" if reviewers else "")


def may_see(user: User | None, other: Unit) -> bool:
    return user is not None and visible_communities(user).filter(pk=other.pk).exists()


def message(user: User | None, community: Unit, other: Unit) -> str:
    """The Chinese error for `user` registering in `community` a person already on `other`'s ledger."""
    if may_see(user, other):
        return f"该人员已在“{other.full_name}”的台帐中登记，请核实后由原社区迁出，不能重复登记。"
    return (
        "该人员已在本市其他社区的台帐中登记，不能重复登记。为保护个人信息，这里不显示具体社区；"
        f"请联系{whom_to_ask(community)}，在“重复登记”页面查询并协调。"
    )


def record(user: User | None, id_number: str, community: Unit, other: Unit, channel: str) -> None:
    DuplicateAttempt.objects.create(
        id_number=id_number, attempted_community=community, existing_community=other,
        user=user if user is not None and user.pk else None, channel=channel,
    )


def visible_attempts(user: User) -> QuerySet[DuplicateAttempt]:
    """Attempts involving a community in the user's scope (either side)."""
    if not can(user, "view_duplicates"):
        return DuplicateAttempt.objects.none()
    qs = DuplicateAttempt.objects.select_related("attempted_community", "existing_community", "user")
    if user.is_city:
        return qs
    mine = visible_communities(user)
    return qs.filter(Q(attempted_community__in=mine) | Q(existing_community__in=mine))
