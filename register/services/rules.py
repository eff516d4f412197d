"""The city's per-period settings for appeals and the expert panel (defaults until the city saves them)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from evaluations.models import Period
from orgs.models import User
from orgs.scoping import can

from ..models import PeriodRules


def rules_for(period: Period) -> PeriodRules:
    """The saved settings, or an unsaved row with the defaults."""
    found = PeriodRules.objects.filter(period=period).first()
    return found if found is not None else PeriodRules(period=period)


def update_rules(period: Period, user: User, *, appeal_days: int, panel_method: str,
                 panel_exclude_own_district: bool) -> PeriodRules:
    if not can(user, "manage_register"):
        raise ValidationError("只有市级管理员可以修改复核申请与专家组设置。")
    with transaction.atomic():
        Period.objects.select_for_update().filter(pk=period.pk).first()
        rules = rules_for(period)
        before = {"appeal_days": rules.appeal_days, "panel_method": rules.panel_method,
                  "panel_exclude_own_district": rules.panel_exclude_own_district}
        rules.appeal_days, rules.panel_method = appeal_days, panel_method
        rules.panel_exclude_own_district, rules.updated_by = panel_exclude_own_district, user
        rules.full_clean()
        rules.save()
        after = {"appeal_days": appeal_days, "panel_method": panel_method,
                 "panel_exclude_own_district": panel_exclude_own_district}
        changes = {k: {"old": before[k], "new": v} for k, v in after.items() if before[k] != v}
        if changes:
            period.changes.create(action="update", user=user, note="修改复核申请与专家组设置", changes=changes)
    return rules
