"""Evaluation periods: the administrator opens one (creating one sheet per community) and may change
its settings until the first sheet of the period is submitted."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from orgs.models import Level, Unit, User
from orgs.scoping import can
from standards import engine, schema
from standards.models import StandardVersion

from ..models import Evaluation, EvidenceCheck, Period, PeriodChange, State, Transition
from .workflow import NotAllowed, WorkflowError

SETTINGS = ("name", "standard", "star_bands", "score_step", "self_deadline", "county_deadline", "city_deadline",
            "evidence_lines", "evidence_check")


class PeriodError(WorkflowError):
    pass


def _require_admin(user: User) -> None:
    if not can(user, "manage_periods"):
        raise NotAllowed("只有市级管理员可以管理评估期。")


def default_star_bands(standard_version: StandardVersion) -> list[dict[str, Any]]:
    return [{"name": b.name, "min": engine.json_number(b.min)} for b in standard_version.standard.star_bands]


def clean_star_bands(standard_version: StandardVersion, bands: Any) -> list[dict[str, Any]]:
    standard = standard_version.standard
    try:
        parsed = schema.parse_star_bands(bands, standard.total)
    except schema.StandardError as exc:
        # The schema names the JSON path for engineers, e.g. "（star_bands[1].min）"; users need not see it.
        message = re.sub(r"（star_bands[^（）]*）", "", str(exc))
        raise PeriodError(f"星级档位有误：{message}") from None
    return [{"name": b.name, "min": engine.json_number(b.min)} for b in parsed]


def clean_score_step(standard_version: StandardVersion, step: Any) -> Decimal:
    try:
        value = Decimal(str(step))
    except (InvalidOperation, ValueError):
        raise PeriodError(f"计分步长必须是数字，实际为「{step}」。") from None
    try:
        # The engine checks the step divides every point value of the standard.
        engine.suggest(standard_version.standard, {}, score_step=value)
    except engine.InputError as exc:
        raise PeriodError(f"计分步长有误：{exc}") from None
    return value


def clean_deadlines(
    self_deadline: datetime.date | None, county_deadline: datetime.date | None, city_deadline: datetime.date | None
) -> None:
    ordered = [("社区自评截止日期", self_deadline), ("县级审核截止日期", county_deadline),
               ("市级复核截止日期", city_deadline)]
    given = [(label, d) for label, d in ordered if d is not None]
    for (label_a, a), (label_b, b) in zip(given, given[1:], strict=False):
        if a > b:
            raise PeriodError(f"{label_b}（{b}）不能早于{label_a}（{a}）。")


def clean_communities(communities: Iterable[Unit | int]) -> list[Unit]:
    ids = [c.pk if isinstance(c, Unit) else int(c) for c in communities]
    units = list(Unit.objects.filter(pk__in=ids))
    wrong = [u.name for u in units if u.level != Level.COMMUNITY]
    if wrong:
        raise PeriodError(f"只能选择社区参加评估：{'、'.join(wrong)} 不是社区。")
    if len(units) != len(set(ids)):
        raise PeriodError("所选社区中有不存在的单位。")
    if not units:
        raise PeriodError("请至少选择一个参加评估的社区。")
    return units


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return engine.json_number(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, StandardVersion):
        return value.version
    return value


@transaction.atomic
def open_period(
    user: User,
    *,
    year: int,
    name: str,
    standard: StandardVersion,
    communities: Iterable[Unit | int],
    star_bands: list[dict[str, Any]] | None = None,
    score_step: Any = None,
    self_deadline: datetime.date | None = None,
    county_deadline: datetime.date | None = None,
    city_deadline: datetime.date | None = None,
    evidence_lines: list[str] | None = None,
    evidence_check: str = EvidenceCheck.WARN,
    make_current: bool = False,
) -> Period:
    """Open a period. It becomes the current one only when asked (or when no period is current):
    opening next year's period does not move anyone's work away from this year's."""
    _require_admin(user)
    if Period.objects.filter(year=year).exists():
        raise PeriodError(f"{year} 年度的评估期已存在。")
    if not (1990 <= int(year) <= 2100):
        raise PeriodError(f"评估年度「{year}」不合理。")
    name = (name or "").strip() or f"{year}年度充分就业星级社区评审"
    bands = clean_star_bands(standard, star_bands if star_bands is not None else default_star_bands(standard))
    step = clean_score_step(standard, score_step if score_step is not None else standard.standard.score_step)
    clean_deadlines(self_deadline, county_deadline, city_deadline)
    units = clean_communities(communities)
    evidence_lines = clean_evidence_lines(standard, evidence_lines)
    evidence_check = clean_evidence_check(evidence_check)
    current = Period.objects.select_for_update().filter(is_current=True).first()
    make_current = make_current or current is None
    if make_current and current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    period = Period.objects.create(
        year=year, name=name, standard=standard, star_bands=bands, score_step=step,
        self_deadline=self_deadline, county_deadline=county_deadline, city_deadline=city_deadline,
        evidence_lines=evidence_lines, evidence_check=evidence_check, is_current=make_current,
        created_by=user,
    )
    Evaluation.objects.bulk_create([Evaluation(period=period, community=u) for u in units])
    PeriodChange.objects.create(
        period=period, year=year, action="open", user=user,
        changes={"year": year, "name": name, "standard": standard.version, "star_bands": bands,
                 "score_step": _json(step), "self_deadline": _json(self_deadline),
                 "county_deadline": _json(county_deadline), "city_deadline": _json(city_deadline),
                 "evidence_lines": evidence_lines, "evidence_check": evidence_check,
                 "communities": sorted(u.code for u in units)},
        note=f"开启评估期，{len(units)} 个社区参加" + ("，设为当前评估期" if make_current else ""),
    )
    if make_current and current is not None:
        PeriodChange.objects.create(
            period=current, year=current.year, action="current", user=user,
            changes={"is_current": {"old": True, "new": False}},
            note=f"当前评估期改为「{period.name}」",
        )
    return period


def clean_evidence_lines(standard: StandardVersion, lines: Any) -> list[str] | None:
    """None keeps the default rule; otherwise the line ids, each one of the standard."""
    if lines is None:
        return None
    ids = [str(x).strip() for x in lines if str(x).strip()]
    known = standard.standard.lines_by_id
    unknown = [x for x in ids if x not in known]
    if unknown:
        raise PeriodError(f"须附证明材料的评审项中有标准没有的项：第 {'、'.join(unknown)} 项。")
    order = [line.id for line in standard.standard.lines]
    return sorted(dict.fromkeys(ids), key=order.index)


def clean_evidence_check(value: Any) -> str:
    if value not in EvidenceCheck.values:
        raise PeriodError(f"缺少证明材料时的处理方式「{value}」无效。")
    return str(value)


def current_period() -> Period | None:
    """The period home pages and lists start from: the administrator's choice, else the newest open one."""
    chosen = Period.objects.filter(is_current=True).first()
    if chosen is not None:
        return chosen
    return Period.objects.filter(is_open=True).order_by("-year").first() or Period.objects.order_by("-year").first()


def open_periods() -> list[Period]:
    return list(Period.objects.filter(is_open=True).order_by("-year"))


def _locked(period: Period) -> Period:
    try:
        return Period.objects.select_for_update().get(pk=period.pk)
    except Period.DoesNotExist:
        raise PeriodError("该评估期不存在（可能已被删除）。") from None


@transaction.atomic
def set_current(period: Period, user: User) -> Period:
    """Make the period the current one (home pages and lists start from it)."""
    _require_admin(user)
    locked = _locked(period)
    if locked.is_current:
        raise PeriodError(f"「{locked.name}」已是当前评估期。")
    previous = Period.objects.select_for_update().filter(is_current=True).first()
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    locked.is_current = True
    locked.save(update_fields=["is_current"])
    PeriodChange.objects.create(
        period=locked, year=locked.year, action="current", user=user,
        changes={"is_current": {"old": previous.name if previous else None, "new": locked.name}},
        note=f"设为当前评估期（原为「{previous.name}」）" if previous else "设为当前评估期",
    )
    return locked


def unfinished_count(period: Period) -> int:
    return period.evaluations.exclude(state=State.PUBLISHED).count()


@transaction.atomic
def close_period(period: Period, user: User, reason: str = "") -> Period:
    """Close a period: its sheets become read-only for everyone; results, files and history are kept."""
    _require_admin(user)
    locked = _locked(period)
    if not locked.is_open:
        raise PeriodError(f"「{locked.name}」已关闭。")
    unfinished = unfinished_count(locked)
    locked.is_open = False
    locked.closed_at = timezone.now()
    locked.save(update_fields=["is_open", "closed_at"])
    PeriodChange.objects.create(
        period=locked, year=locked.year, action="close", user=user,
        changes={"is_open": {"old": True, "new": False}, "unfinished": unfinished},
        note=f"关闭评估期（{unfinished} 份评估表未公布，保持当时状态只读）" + (f"：{reason.strip()}" if reason.strip() else ""),
    )
    return locked


@transaction.atomic
def reopen_period(period: Period, user: User) -> Period:
    """Open a closed period again (a close by mistake)."""
    _require_admin(user)
    locked = _locked(period)
    if locked.is_open:
        raise PeriodError(f"「{locked.name}」未关闭。")
    locked.is_open = True
    locked.closed_at = None
    locked.save(update_fields=["is_open", "closed_at"])
    PeriodChange.objects.create(period=locked, year=locked.year, action="reopen", user=user,
                                changes={"is_open": {"old": False, "new": True}}, note="重新开放评估期")
    return locked


def deletion_refusal(period: Period) -> str:
    """Why the period may not be deleted ('' when it may): only while nothing in it has been submitted."""
    first = first_submission(period)
    if first is not None:
        return (f"「{period.name}」已有评估表提交（{first.evaluation.community.name}，"
                f"{timezone.localtime(first.at):%Y-%m-%d %H:%M}），不能删除；可以关闭。")
    if period.evaluations.exclude(state=State.DRAFT).exists():
        return f"「{period.name}」已有评估表进入审核，不能删除；可以关闭。"
    return ""


@transaction.atomic
def delete_period(period: Period, user: User) -> int:
    """Delete a period opened by mistake, with its (draft) sheets. The deletion stays on record
    (PeriodChange keeps the year; earlier change rows keep theirs with the period emptied)."""
    _require_admin(user)
    locked = _locked(period)
    refusal = deletion_refusal(locked)
    if refusal:
        raise PeriodError(refusal)
    sheets = locked.evaluations.count()
    was_current = locked.is_current
    PeriodChange.objects.create(
        period=locked, year=locked.year, action="delete", user=user,
        changes={"name": locked.name, "sheets": sheets},
        note=f"删除评估期「{locked.name}」（误开，{sheets} 份草稿评估表一并删除）",
    )
    Evaluation.objects.filter(period=locked).delete()
    locked.delete()
    if was_current:
        following = Period.objects.filter(is_open=True).order_by("-year").first()
        if following is not None:
            following.is_current = True
            following.save(update_fields=["is_current"])
    return sheets


def first_submission(period: Period) -> Transition | None:
    return Transition.objects.filter(evaluation__period=period, action="submit").order_by("at").first()


@transaction.atomic
def update_period_settings(period: Period, user: User, *, communities: Iterable[Unit | int] | None = None,
                           **changes: Any) -> Period:
    """Change a period's settings; refused once any of its sheets has been submitted."""
    _require_admin(user)
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise PeriodError(f"未知的评估期设置：{'、'.join(sorted(unknown))}。")
    locked = Period.objects.select_for_update().get(pk=period.pk)
    first = first_submission(locked)
    if first is not None:
        raise PeriodError(
            f"评估期「{locked.name}」已有评估表提交（{first.evaluation.community.name}，"
            f"{first.at:%Y-%m-%d %H:%M}），设置已冻结，不能修改。"
        )
    standard = changes.get("standard", locked.standard)
    if "star_bands" in changes or "standard" in changes:
        changes["star_bands"] = clean_star_bands(standard, changes.get("star_bands", locked.star_bands))
    if "score_step" in changes or "standard" in changes:
        changes["score_step"] = clean_score_step(standard, changes.get("score_step", locked.score_step))
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip() or locked.name
    if "evidence_lines" in changes:
        changes["evidence_lines"] = clean_evidence_lines(standard, changes["evidence_lines"])
    if "evidence_check" in changes:
        changes["evidence_check"] = clean_evidence_check(changes["evidence_check"])
    clean_deadlines(
        changes.get("self_deadline", locked.self_deadline),
        changes.get("county_deadline", locked.county_deadline),
        changes.get("city_deadline", locked.city_deadline),
    )
    diff: dict[str, Any] = {}
    for key, value in changes.items():
        old = getattr(locked, key)
        if old != value:
            diff[key] = {"old": _json(old), "new": _json(value)}
            setattr(locked, key, value)
    if diff:
        locked.save(update_fields=list(diff))
    if communities is not None:
        units = clean_communities(communities)
        wanted = {u.pk for u in units}
        current = dict(locked.evaluations.values_list("community_id", "pk"))
        removed = [cid for cid in current if cid not in wanted]
        blocked = Evaluation.objects.filter(pk__in=[current[c] for c in removed]).filter(
            audit_events__isnull=False).distinct()
        if blocked.exists():
            names = "、".join(e.community.name for e in blocked.select_related("community"))
            raise PeriodError(f"以下社区已开始填报，不能移出评估期：{names}。")
        added = [u for u in units if u.pk not in current]
        if removed:
            Evaluation.objects.filter(pk__in=[current[c] for c in removed]).delete()
        Evaluation.objects.bulk_create([Evaluation(period=locked, community=u) for u in added])
        if added or removed:
            diff["communities"] = {
                "added": sorted(u.code for u in added),
                "removed": sorted(Unit.objects.filter(pk__in=removed).values_list("code", flat=True)),
            }
    if diff:
        PeriodChange.objects.create(period=locked, year=locked.year, action="update", changes=diff, user=user,
                                    note="修改评估期设置")
    return locked
