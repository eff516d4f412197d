"""Model -> response dicts. Kept apart from the endpoints so lists and details agree."""

from __future__ import annotations

from django.urls import reverse

from evaluations import policy
from evaluations.models import Evaluation, Evidence, EvidenceRevision, LineScore, Period, State
from evaluations.presenters import totals_for
from evaluations.selectors import open_returns
from orgs.models import Unit, User
from orgs.scoping import ACTION_ROLES
from standards.engine import json_number


def unit(u: Unit) -> dict:
    return {
        "id": u.pk,
        "name": u.name,
        "code": u.code,
        "level": u.level,
        "level_label": u.get_level_display(),
        "parent_id": u.parent_id,
        "county_id": u.county_id,
        "street_id": u.street_id,
        "full_name": u.full_name,
        "is_active": u.is_active,
    }


def me(user) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": user.get_role_display(),
        "unit": unit(user.unit) if user.unit_id else None,
        "actions": sorted(a for a, roles in ACTION_ROLES.items() if user.role in roles),
    }


def period(p: Period) -> dict:
    return {
        "id": p.pk,
        "year": p.year,
        "name": p.name,
        "standard_version": p.standard.version,
        "star_bands": p.star_bands or [],
        "score_step": json_number(p.score_step),
        "self_deadline": p.self_deadline,
        "county_deadline": p.county_deadline,
        "city_deadline": p.city_deadline,
        "is_open": p.is_open,
        "settings_locked": p.settings_locked,
    }


def line_score(ls: LineScore) -> dict:
    return {
        "line_id": ls.line_id,
        "stage": ls.stage,
        "score": json_number(ls.score),
        "reason": ls.reason,
        "adopted_from": ls.adopted_from,
        "updated_by": str(ls.updated_by),
        "updated_at": ls.updated_at,
    }


def evaluation(ev: Evaluation, user: User) -> dict:
    """A sheet's row; totals, star and return comment only where the review policy shows them."""
    shown = totals_for(user, ev)
    see_return = policy.may_see_return(user, ev)
    return {
        "id": ev.pk,
        "period_id": ev.period_id,
        "year": ev.period.year,
        "community": unit(ev.community),
        "state": ev.state,
        "state_label": State(ev.state).label if ev.state in State.values else ev.state,
        "revision": ev.revision,
        "editable_stage": ev.editable_stage,
        "visible_stages": list(shown.stages),
        "self_total": json_number(shown.self_total),
        "county_total": json_number(shown.county_total),
        "city_total": json_number(shown.city_total),
        "result_status": ev.result_status,
        "star": shown.star,
        "returned_lines": (ev.returned_lines or []) if see_return else [],
        "return_comment": ev.return_comment if see_return else "",
        "submitted_at": ev.submitted_at,
        "published_at": ev.published_at,
        "updated_at": ev.updated_at,
    }


def evaluation_detail(ev: Evaluation, user: User) -> dict:
    data = evaluation(ev, user)
    stages = policy.visible_stages(user, ev)
    data["innovation_text"] = ev.innovation_text
    see_return = policy.may_see_return(user, ev) and bool(ev.returned_by and ev.returned_lines)
    data["returns"] = [
        {"line_id": item.line_id, "returned_by": item.returned_by, "comment": item.comment, "reply": item.reply,
         "replied_by": str(item.replied_by) if item.replied_by else "", "replied_at": item.replied_at}
        for item in (open_returns(ev) if see_return else [])
    ]
    data["scores"] = [
        line_score(ls)
        for ls in ev.scores.filter(stage__in=stages).select_related("updated_by").order_by("line_id", "stage")
    ]
    return data


def evidence_revision(rev: EvidenceRevision) -> dict:
    return {
        "number": rev.number,
        "original_name": rev.original_name,
        "content_type": rev.content_type,
        "size": rev.size,
        "sha256": rev.sha256,
        "uploaded_by": str(rev.uploaded_by),
        "uploaded_at": rev.uploaded_at,
        "download_url": reverse(
            "api:v1:evidence_revision_download", kwargs={"evidence_id": rev.evidence_id, "number": rev.number}
        ),
    }


def evidence(ev: Evidence) -> dict:
    revisions = sorted(ev.revisions.all(), key=lambda r: r.number)
    return {
        "id": ev.pk,
        "evaluation_id": ev.evaluation_id,
        "line_id": ev.line_id,
        "title": ev.title,
        "created_by": str(ev.created_by),
        "created_at": ev.created_at,
        "current": evidence_revision(revisions[-1]) if revisions else None,
        "revisions": [evidence_revision(r) for r in revisions],
    }


def token(t) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "revoked_at": t.revoked_at,
        "revoked_reason": t.get_revoked_reason_display() if t.revoked_reason else "",
        "is_active": t.is_active,
    }
