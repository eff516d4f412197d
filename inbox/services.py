"""Who is told what: recipients from scope (`orgs.scoping.scope_holders`) and policy (who waits for a
sheet in a state: `evaluations.policy.waiting_states`). One bulk insert per event, whatever the number
of recipients; e-mail only when `INBOX_EMAIL` is on and the user has an address.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from evaluations import policy
from evaluations.models import Evaluation, Period, State
from evaluations.presenters import STATE_DEADLINE
from orgs.models import Role, Unit, User
from orgs.scoping import scope_holders

from .models import Kind, Message

# Deadlines this many days ahead (or fewer) are "approaching".
SOON_DAYS = 3
DEADLINE_LABELS = {"self_deadline": "社区自评", "county_deadline": "县级审核", "city_deadline": "市级复核"}


def roles_waiting(states: Iterable[str]) -> list[str]:
    """Roles for which a sheet in one of these states waits (the policy's forward actions)."""
    wanted = set(states)
    return [role for role in Role.values if policy.waiting_states(User(role=role, is_active=True)) & wanted]


def waiting_users(community: Unit, states: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(scope_holders(community), role__in=roles_waiting(states))


def sheet_link(evaluation: Evaluation) -> str:
    return reverse("evaluations:detail", args=[evaluation.pk])


def notify(
    recipients: Iterable[User], *, kind: str, title: str, body: str = "", link: str = "",
    evaluation: Evaluation | None = None, key: str = "",
) -> list[Message]:
    """One message per recipient, in one insert; keyed ones are written once per recipient and key."""
    rows = [
        Message(recipient=u, kind=kind, title=title[:200], body=body, link=link, evaluation=evaluation, key=key)
        for u in {u.pk: u for u in recipients}.values()
    ]
    if not rows:
        return []
    Message.objects.bulk_create(rows, ignore_conflicts=bool(key))
    _email(rows)
    return rows


def _email(rows: list[Message]) -> None:
    if not getattr(settings, "INBOX_EMAIL", False):
        return
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    mails = [
        (m.title, f"{m.body}\n\n{base}{m.link}".strip(), None, [m.recipient.email])
        for m in rows if m.recipient.email
    ]
    if mails:
        # After commit: a rolled-back transition sends nothing.
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))


# ------------------------------------------------------------------------------------------------
# Workflow events


def on_transition(sender: Any, evaluation: Evaluation, user: User, action: policy.Action, comment: str,
                  **kwargs: Any) -> None:
    """Tell the people the sheet now waits for (or, for a withdrawal, waited for); not the actor."""
    if action.name.endswith("_start"):
        return  # the actor takes up their own work
    community = evaluation.community
    name = f"{evaluation.period.year}年度 {community.name}"
    if action.kind == "return":
        kind, title = Kind.RETURN, f"{name}：{action.label}"
        lines = evaluation.returned_lines or []
        body = (f"退回的评审项：第 {'、'.join(lines)} 项。" if lines else "") + (f"意见：{comment}" if comment else "")
    elif action.kind == "withdraw":
        kind, title = Kind.WITHDRAW, f"{name}：{action.label}"
        unit = user.unit.name if user.unit is not None else ""
        body = f"{unit} {user} 撤回，原因：{comment}".strip()
    elif action.name == "publish":
        kind, title, body = Kind.PUBLISHED, f"{name}：评审结果已公布", "请打开评估表查看各级得分与星级。"
    else:
        kind = Kind.WAITING
        title = f"{name}：{State(evaluation.state).label}，等待您办理"
        body = f"{user} {action.label}" + (f"：{comment}" if comment else "") + "。"
    if action.name == "publish":
        recipients = User.objects.filter(
            scope_holders(community), role__in=[Role.COMMUNITY_OPERATOR, Role.COUNTY_REVIEWER])
    else:
        recipients = waiting_users(community, policy.addressees(action))
    notify(recipients.exclude(pk=user.pk), kind=kind, title=title, body=body, link=sheet_link(evaluation),
           evaluation=evaluation)


# ------------------------------------------------------------------------------------------------
# Deadlines (the daily job)


@dataclass
class DeadlineOutcome:
    created: int = 0
    skipped: int = 0  # already sent (the job ran before for this deadline)


def deadline_notices(today: datetime.date | None = None) -> DeadlineOutcome:
    """Remind whoever a sheet waits for when its stage's deadline is near (≤ SOON_DAYS) or has passed.

    One message per user, period, deadline and kind (soon / passed), keyed: running it again the same
    day — or the next — adds nothing new for the same deadline. Costs a few queries per open period.
    """
    today = today or timezone.localdate()
    outcome = DeadlineOutcome()
    users = list(User.objects.filter(is_active=True, unit__isnull=False))
    by_role_unit: dict[tuple[str, int], list[User]] = defaultdict(list)
    for u in users:
        assert u.unit_id is not None
        by_role_unit[(u.role, u.unit_id)].append(u)
    city_users = [u for u in users if u.role in (Role.CITY_ADMIN, Role.CITY_REVIEWER)]
    waiting_roles = {state: set(roles_waiting([state])) for state in State.values}
    rows: list[Message] = []
    for period in Period.objects.filter(is_open=True).order_by("-year"):
        for field, label in DEADLINE_LABELS.items():
            deadline = getattr(period, field)
            if deadline is None:
                continue
            days = (deadline - today).days
            if days < 0:
                kind, key = Kind.DEADLINE_PASSED, f"deadline-passed:{period.pk}:{field}:{deadline}"
            elif days <= SOON_DAYS:
                kind, key = Kind.DEADLINE_SOON, f"deadline-soon:{period.pk}:{field}:{deadline}"
            else:
                continue
            states = [s for s, f in STATE_DEADLINE.items() if f == field]
            counts: dict[int, int] = defaultdict(int)
            for state, community_id, county_id, street_id in Evaluation.objects.filter(
                period=period, state__in=states
            ).values_list("state", "community_id", "community__county_id", "community__street_id"):
                roles = waiting_roles[state]
                reached = [u for u in city_users if u.role in roles]
                for role, unit_id in ((Role.COUNTY_REVIEWER, county_id), (Role.STREET_VIEWER, street_id),
                                      (Role.COMMUNITY_OPERATOR, community_id)):
                    if role in roles and unit_id is not None:
                        reached += by_role_unit.get((role, unit_id), [])
                for u in reached:
                    counts[u.pk] += 1
            if not counts:
                continue
            already = set(Message.objects.filter(key=key, recipient_id__in=counts).values_list("recipient_id", flat=True))
            outcome.skipped += len(already)
            when = f"{deadline:%Y-%m-%d}"
            for user_pk, n in counts.items():
                if user_pk in already:
                    continue
                if kind == Kind.DEADLINE_PASSED:
                    title = f"{period.name}：{label}已于 {when} 截止，尚有 {n} 份评估表未办结"
                else:
                    left = "今天" if days == 0 else f"{days} 天后"
                    title = f"{period.name}：{label}将于 {when}（{left}）截止，尚有 {n} 份评估表待办"
                rows.append(Message(recipient_id=user_pk, kind=kind, title=title, key=key,
                                    body="请到首页「等待我办理」或评估表列表查看。",
                                    link=reverse("evaluations:list") + f"?period={period.pk}"))
    if rows:
        Message.objects.bulk_create(rows, ignore_conflicts=True)
        outcome.created = len(rows)
        if getattr(settings, "INBOX_EMAIL", False):
            emails = dict(User.objects.filter(pk__in={m.recipient_id for m in rows}).exclude(email="")
                          .values_list("pk", "email"))
            send_mass_mail([(m.title, m.body, None, [emails[m.recipient_id]]) for m in rows
                            if m.recipient_id in emails], fail_silently=True)
    return outcome


# ------------------------------------------------------------------------------------------------
# Reading


def unread_count(user: User) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's messages read (all unread ones when `ids` is None); returns how many."""
    qs = Message.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
