"""The one scope-aware lookup used by pages, API and exports.

Objects outside the user's unit answer 404 (their existence is not revealed); objects inside the
unit on which the role may not perform the action answer 403.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from .models import Level, Role, Unit, User

M = TypeVar("M", bound=models.Model)


def community_filter(user: User, path: str = "") -> models.Q:
    """Q restricting `<path>` (a FK to a community Unit, '' for Unit itself) to the user's unit."""
    prefix = f"{path}__" if path else ""
    if not user.is_authenticated or not user.is_active or user.unit_id is None:
        return models.Q(pk__in=[])
    if user.role in (Role.CITY_ADMIN, Role.CITY_REVIEWER):
        return models.Q()
    if user.role == Role.COUNTY_REVIEWER:
        return models.Q(**{f"{prefix}county_id": user.unit_id})
    if user.role == Role.STREET_VIEWER:
        return models.Q(**{f"{prefix}street_id": user.unit_id})
    if user.role == Role.COMMUNITY_OPERATOR:
        return models.Q(**{f"{prefix}pk" if prefix else "pk": user.unit_id})
    return models.Q(pk__in=[])


def scope_holders(community: Unit) -> models.Q:
    """Q over User: the users whose scope holds the community (the inverse of `community_filter`)."""
    reach = models.Q(role__in=[Role.CITY_ADMIN, Role.CITY_REVIEWER], unit__isnull=False)
    reach |= models.Q(role=Role.COMMUNITY_OPERATOR, unit_id=community.pk)
    if community.county_id is not None:
        reach |= models.Q(role=Role.COUNTY_REVIEWER, unit_id=community.county_id)
    if community.street_id is not None:
        reach |= models.Q(role=Role.STREET_VIEWER, unit_id=community.street_id)
    return models.Q(is_active=True) & reach


def visible_communities(user: User):
    return Unit.objects.filter(level=Level.COMMUNITY).filter(community_filter(user))


def visible_units(user: User):
    """Every unit (any level) the user may see: its own subtree and its ancestors."""
    if user.is_city:
        return Unit.objects.all()
    if user.unit_id is None:
        return Unit.objects.none()
    own = user.unit
    ancestors = []
    node = own
    while node is not None:
        ancestors.append(node.pk)
        node = node.parent
    subtree = models.Q(pk=own.pk)
    if own.level == Level.COUNTY:
        subtree |= models.Q(county_id=own.pk)
    elif own.level == Level.STREET:
        subtree |= models.Q(street_id=own.pk)
    return Unit.objects.filter(subtree | models.Q(pk__in=ancestors))


def scope_queryset(user: User, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Filter a queryset of a scoped model (one with `scope_path`, the path to its community)."""
    path = getattr(queryset.model, "scope_path", None)
    if path is None:
        raise TypeError(f"{queryset.model.__name__} has no scope_path")
    return queryset.filter(community_filter(user, path))


def get_for_user(user: User, queryset: models.QuerySet[M], action: str = "view", **lookup) -> M:
    """Fetch one object in the user's scope, then check the action.

    404 when it does not exist or lies outside the user's unit; 403 when the role may not do `action`.
    """
    try:
        obj = scope_queryset(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("未找到该对象，或不在您的管辖范围内。") from exc
    if not can(user, action, obj):
        raise PermissionDenied("您的角色无权执行此操作。")
    return obj


# action -> roles allowed. Object-specific checks (state of a sheet) live in the services.
ACTION_ROLES: dict[str, set[str]] = {
    "view": set(Role.values),
    "edit_self": {Role.COMMUNITY_OPERATOR},
    "submit": {Role.COMMUNITY_OPERATOR},
    "edit_ledger": {Role.COMMUNITY_OPERATOR, Role.CITY_ADMIN},
    "upload_evidence": {Role.COMMUNITY_OPERATOR, Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.CITY_ADMIN},
    "edit_facts": {Role.COMMUNITY_OPERATOR, Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.CITY_ADMIN},
    "review_county": {Role.COUNTY_REVIEWER},
    "review_city": {Role.CITY_REVIEWER, Role.CITY_ADMIN},
    "publish": {Role.CITY_ADMIN, Role.CITY_REVIEWER},
    "reopen": {Role.CITY_ADMIN},
    # 公示 (public notice) and objections (announcements app). The administrator starts a period's
    # notice and assigns objection cases; city staff record objections received by letter, phone or
    # visit and investigate the cases; a case is decided by its assigned reviewer or the administrator.
    # The objector's contact is shown (and the showing logged) to the administrator and to the case's
    # assigned reviewer only (announcements.services.may_see_contact).
    "start_notice": {Role.CITY_ADMIN},
    "handle_objections": {Role.CITY_ADMIN, Role.CITY_REVIEWER},
    "assign_objections": {Role.CITY_ADMIN},
    "decide_objections": {Role.CITY_ADMIN, Role.CITY_REVIEWER},
    "manage_periods": {Role.CITY_ADMIN},
    "manage_users": {Role.CITY_ADMIN},
    "export": set(Role.values),
    # Full ID numbers and phones: the people who register and verify persons.
    "unmask": {Role.COMMUNITY_OPERATOR, Role.COUNTY_REVIEWER, Role.CITY_ADMIN},
    # Disability, release-from-prison and drug-rehabilitation status.
    "view_sensitive": {Role.COMMUNITY_OPERATOR, Role.COUNTY_REVIEWER, Role.CITY_ADMIN},
    # 作废 a person record (out of lists and facts, kept): who keeps or checks the ledgers; restoring:
    # the county and city only, so a community cannot silently bring a voided person back.
    "void_person": {Role.COMMUNITY_OPERATOR, Role.COUNTY_REVIEWER, Role.CITY_ADMIN},
    "restore_person": {Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.CITY_ADMIN},
    "refresh_facts": {Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.CITY_ADMIN},
    # Refused cross-community registrations of one ID number, with both communities.
    "view_duplicates": {Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.CITY_ADMIN},
    # API tokens: roles whose work the API serves (ledger sync by communities, review by reviewers,
    # integration and backup by the city). Street viewers only browse; they get no tokens.
    "use_api": {Role.COMMUNITY_OPERATOR, Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.CITY_ADMIN},
    # After publication (register app): a community asks for a re-review of its result; a city reviewer
    # who took no part in the sheet decides it (the independence is checked by register.services.appeals).
    "appeal": {Role.COMMUNITY_OPERATOR},
    "decide_appeal": {Role.CITY_REVIEWER, Role.CITY_ADMIN},
    # The innovation line's expert panel: the city assigns raters and adopts their mean; a rater may sit in a
    # district (the period may exclude raters of the community's own district).
    "manage_panel": {Role.CITY_REVIEWER, Role.CITY_ADMIN},
    "rate_panel": {Role.CITY_REVIEWER, Role.COUNTY_REVIEWER},
    # The star register: downgrade and revoke (摘牌), per-period appeal and panel settings.
    "manage_register": {Role.CITY_ADMIN},
    # Spot-checks of the ledgers (verification app): draw samples and record checks in one's scope.
    # Communities and streets read the results of their own once the county has decided
    # (evaluations.policy.may_see_verification).
    "verify": {Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.CITY_ADMIN},
    # The province's registrations as reference lists: imported by the city, read by reviewers.
    "manage_reference": {Role.CITY_REVIEWER, Role.CITY_ADMIN},
    "view_reference": {Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.CITY_ADMIN},
}


def can(user: User, action: str, obj: models.Model | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    roles = ACTION_ROLES.get(action)
    if roles is None:
        raise KeyError(f"unknown action {action!r}")
    return user.role in roles


def require(user: User, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied("您的角色无权执行此操作。")


# ------------------------------------------------------------------------------------------------
# Districts (区/县): filters of lists, reports and dashboards


def visible_counties(user: User) -> models.QuerySet[Unit]:
    """Districts the user's scope reaches: every one for the city, otherwise the user's own district."""
    qs = Unit.objects.filter(level=Level.COUNTY, is_active=True)
    if not user.is_authenticated or not user.is_active or user.unit_id is None:
        return qs.none()
    if user.role in (Role.CITY_ADMIN, Role.CITY_REVIEWER):
        return qs
    return qs.filter(pk=default_county_id(user))


def default_county_id(user: User) -> int | None:
    """The district a user below the city is held to (a county's own, a street's or community's parent)."""
    if user.unit_id is None or user.role in (Role.CITY_ADMIN, Role.CITY_REVIEWER):
        return None
    unit = user.unit
    return unit.pk if unit.level == Level.COUNTY else unit.county_id


def requested_county(user: User, raw: str | None) -> Unit | None:
    """The district of a `?county=<id>` filter, held to the user's scope.

    No value: None for the city (all districts), the user's own district below it. A value that is not
    an id, or a district outside the user's scope, answers 404.
    """
    counties = visible_counties(user)
    if raw:
        if not str(raw).isdigit():
            raise Http404("区（市、县）参数无效。")
        county = counties.filter(pk=int(raw)).first()
        if county is None:
            raise Http404("未找到该区（市、县），或不在您的管辖范围内。")
        return county
    own = default_county_id(user)
    return counties.filter(pk=own).first() if own is not None else None
