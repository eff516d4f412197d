"""Risk flags of back-filled ledgers, each explained in Chinese with the records behind it.

Every flag reads the communities it is asked about with a fixed number of queries (grouped in the
database where it can), so a county's summary costs what the county holds, not a query per row.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q

from ledgers.dates import add_months, period_bounds
from ledgers.models import Employment, Person, UnemploymentRegistration, Visit
from orgs.workdays import holiday_detail

from .kinds import mask_name

# Thresholds (documented on the help page).
SAME_TEXT_MIN = 5  # records carrying one identical free text
RUSH_DAYS = 7  # "the last days before a deadline"
RUSH_MIN, RUSH_SHARE = 10, 0.5  # persons entered in those days: at least this many and this share
OFFSET_MIN, OFFSET_SHARE = 5, 0.6  # registration/job pairs at one identical offset
PHONE_MIN = 3  # persons of at least two households sharing one phone
HOLIDAY_MIN = 3  # visits dated on statutory holidays
ONE_DAY_MIN, ONE_DAY_SHARE = 8, 0.5  # visits on a single day
RISK_WEIGHT = 3  # a flagged record's weight in a weighted draw

HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}

FLAG_TITLES = {
    "same_text": "多条记录文字完全相同",
    "deadline_rush": "截止日前集中录入",
    "fixed_offset": "日期间隔整齐划一",
    "shared_phone": "多人共用一个电话",
    "holiday_visits": "走访日期为法定节假日",
    "one_day_visits": "走访集中在同一天",
}


@dataclass
class FlagRecord:
    kind: str  # a verification.kinds name, or "person"
    id: int
    label: str
    person_id: int | None = None
    household_id: int | None = None


@dataclass
class Flag:
    code: str
    explanation: str
    records: list[FlagRecord] = field(default_factory=list)

    @property
    def title(self) -> str:
        return FLAG_TITLES[self.code]


def _holiday(day: date) -> tuple[bool, str, bool]:
    """(is a statutory holiday, its name, the calendar covers the year)."""
    off, name, official = holiday_detail(day)
    if not official:
        return off, "周末", False
    return bool(off and name), HOLIDAY_NAMES.get(name or "", name or ""), True


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[:n] + "…"


def flags_for(community_ids: list[int], year: int, deadline: date | None = None) -> dict[int, list[Flag]]:
    start, end = period_bounds(year)
    out: dict[int, list[Flag]] = {cid: [] for cid in community_ids}
    if not community_ids:
        return out
    _same_text(out, community_ids, start, end)
    _deadline_rush(out, community_ids, deadline or end)
    _fixed_offset(out, community_ids, start, end)
    _shared_phone(out, community_ids)
    _visit_days(out, community_ids, start, end)
    return out


def _same_text(out: dict[int, list[Flag]], ids: list[int], start: date, end: date) -> None:
    # Visit records are free text written per household; service notes name the service ("办理《就业创业证》")
    # and are alike by nature, so only visits are compared.
    sources = [
        ("visit", Visit.objects.filter(household__community_id__in=ids, visited_on__range=(start, end)),
         "household__community_id", "record", "走访记录"),
    ]
    for kind, qs, path, text_field, label in sources:
        repeated = (qs.exclude(**{text_field: ""}).values(path, text_field).annotate(n=Count("pk"))
                    .filter(n__gte=SAME_TEXT_MIN).order_by())
        groups = {(row[path], row[text_field]): row["n"] for row in repeated}
        if not groups:
            continue
        texts = {t for _, t in groups}
        rows = qs.filter(**{f"{text_field}__in": texts}).order_by("pk")
        if kind == "visit":
            values = rows.values_list("pk", path, text_field, "visited_on", "household_id", "household__head_name")
        else:
            values = rows.values_list("pk", path, text_field, "served_on", "person_id", "person__name")
        members: dict[tuple[int, str], list[FlagRecord]] = defaultdict(list)
        for pk, cid, text, when, owner, name in values:
            if (cid, text) in groups:
                who = f"{mask_name(name)}户" if kind == "visit" else mask_name(name)
                members[(cid, text)].append(FlagRecord(
                    kind, pk, f"{who} · {when:%Y-%m-%d}",
                    person_id=owner if kind != "visit" else None, household_id=owner if kind == "visit" else None))
        for (cid, text), records in sorted(members.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
            out[cid].append(Flag("same_text", f"{len(records)}条{label}的文字完全相同：“{_short(text)}”。"
                                 "逐户走访或服务的情况通常各不相同，整齐划一的文字常见于按模板补录。", records))


def _deadline_rush(out: dict[int, list[Flag]], ids: list[int], deadline: date) -> None:
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    from datetime import datetime, time

    window_start = timezone.make_aware(datetime.combine(deadline - timedelta(days=RUSH_DAYS - 1), time.min), tz)
    window_end = timezone.make_aware(datetime.combine(deadline, time.max), tz)
    totals = dict(Person.objects.filter(community_id__in=ids).values("community_id").annotate(n=Count("pk"))
                  .values_list("community_id", "n").order_by())
    recent = Person.objects.filter(community_id__in=ids, created_at__range=(window_start, window_end))
    counts = dict(recent.values("community_id").annotate(n=Count("pk")).values_list("community_id", "n").order_by())
    hit = [cid for cid, n in counts.items() if n >= RUSH_MIN and n >= RUSH_SHARE * totals.get(cid, 0)]
    if not hit:
        return
    rows = recent.filter(community_id__in=hit).order_by("pk").values_list("pk", "community_id", "name", "household_id")
    members: dict[int, list[FlagRecord]] = defaultdict(list)
    for pk, cid, name, household in rows:
        members[cid].append(FlagRecord("person", pk, mask_name(name), person_id=pk, household_id=household))
    for cid in hit:
        n, total = counts[cid], totals.get(cid, 0)
        out[cid].append(Flag("deadline_rush", f"台帐共{total}人，其中{n}人（{n * 100 // max(total, 1)}%）是在截止日期"
                             f"{deadline:%Y-%m-%d}前{RUSH_DAYS}天内录入的。大量集中录入提示台帐可能是临近评估时补建的。",
                             members[cid]))


def _offset_label(registered: date, started: date) -> str:
    for months in range(1, 13):
        if add_months(started, -months) == registered:
            return f"{months}个月"
    return f"{(started - registered).days}天"


def _fixed_offset(out: dict[int, list[Flag]], ids: list[int], start: date, end: date) -> None:
    regs = UnemploymentRegistration.objects.filter(person__community_id__in=ids, registered_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)).order_by("pk").values_list(
        "pk", "person_id", "person__community_id", "registered_on", "person__name", "person__household_id")
    jobs: dict[int, list[date]] = defaultdict(list)
    for person_id, started in Employment.objects.filter(
            person__community_id__in=ids, started_on__lte=end).order_by("pk").values_list("person_id", "started_on"):
        jobs[person_id].append(started)
    pairs: dict[int, list[tuple[str, FlagRecord]]] = defaultdict(list)
    for pk, person_id, cid, registered, name, household in regs:
        after = sorted(d for d in jobs.get(person_id, ()) if d >= registered)
        if after:
            pairs[cid].append((_offset_label(registered, after[0]), FlagRecord(
                "unemployment", pk, f"{mask_name(name)} · 失业登记 {registered:%Y-%m-%d} · 就业 {after[0]:%Y-%m-%d}",
                person_id=person_id, household_id=household)))
    for cid, items in pairs.items():
        offset, n = Counter(o for o, _ in items).most_common(1)[0]
        if n >= OFFSET_MIN and n >= OFFSET_SHARE * len(items):
            out[cid].append(Flag("fixed_offset", f"{len(items)}名登记后就业的人员中，{n}人的失业登记日期恰好是就业日期前{offset}。"
                                 "真实的失业时长各不相同，统一的间隔常见于“就业日期减一个月”式的补填。",
                                 [r for o, r in items if o == offset]))


def _shared_phone(out: dict[int, list[Flag]], ids: list[int]) -> None:
    shared = (Person.objects.filter(community_id__in=ids).exclude(phone="").values("community_id", "phone")
              .annotate(n=Count("pk"), h=Count("household", distinct=True)).filter(n__gte=PHONE_MIN, h__gte=2).order_by())
    keys = {(row["community_id"], row["phone"]) for row in shared}
    if not keys:
        return
    rows = Person.objects.filter(community_id__in={c for c, _ in keys}, phone__in={p for _, p in keys}).order_by(
        "pk").values_list("pk", "community_id", "phone", "name", "household_id")
    members: dict[tuple[int, str], list[FlagRecord]] = defaultdict(list)
    for pk, cid, phone, name, household in rows:
        if (cid, phone) in keys:
            members[(cid, phone)].append(FlagRecord("person", pk, mask_name(name), person_id=pk, household_id=household))
    for (cid, _), records in sorted(members.items(), key=lambda kv: kv[0]):
        households = len({r.household_id for r in records})
        out[cid].append(Flag("shared_phone", f"{len(records)}名分属{households}个家庭的人员登记了同一个联系电话"
                             "（号码已隐藏）。电话回访将无法区分本人，也提示联系方式可能是代填的。", records))


def _visit_days(out: dict[int, list[Flag]], ids: list[int], start: date, end: date) -> None:
    rows = Visit.objects.filter(household__community_id__in=ids, visited_on__range=(start, end)).order_by("pk").values_list(
        "pk", "household__community_id", "visited_on", "household_id", "household__head_name")
    by_community: dict[int, list[tuple[int, date, int, str]]] = defaultdict(list)
    for pk, cid, day, household, name in rows:
        by_community[cid].append((pk, day, household, name))
    for cid, visits in by_community.items():
        on_holiday: list[tuple[FlagRecord, str]] = []
        covered = True
        for pk, day, household, name in visits:
            is_holiday, holiday, known = _holiday(day)
            covered = covered and known
            if is_holiday:
                on_holiday.append((FlagRecord("visit", pk, f"{mask_name(name)}户 · {day:%Y-%m-%d}（{holiday}）",
                                              household_id=household), holiday))
        if len(on_holiday) >= HOLIDAY_MIN:
            note = "" if covered else "（该年度不在法定节假日日历范围内，按周六、周日判断）"
            names = "、".join(sorted({h for _, h in on_holiday}))
            out[cid].append(Flag("holiday_visits", f"{len(on_holiday)}次走访的日期是法定节假日（{names}）{note}。"
                                 "节假日集中上门走访不合常理，提示日期可能是补填的。", [r for r, _ in on_holiday]))
        day, n = Counter(d for _, d, _, _ in visits).most_common(1)[0]
        if n >= ONE_DAY_MIN and n >= ONE_DAY_SHARE * len(visits):
            records = [FlagRecord("visit", pk, f"{mask_name(name)}户 · {d:%Y-%m-%d}", household_id=h)
                       for pk, d, h, name in visits if d == day]
            out[cid].append(Flag("one_day_visits", f"评估期内{len(visits)}次走访中有{n}次都记在{day:%Y-%m-%d}这一天。"
                                 "一名工作人员一天内上门走访这么多户不现实，提示走访记录可能是集中补写的。", records))


def flagged_owners(flags: list[Flag]) -> tuple[set[tuple[str, int]], set[int], set[int]]:
    """(flagged (kind, id) records, flagged persons, flagged households) — the weighting of a draw."""
    records: set[tuple[str, int]] = set()
    persons: set[int] = set()
    households: set[int] = set()
    for flag in flags:
        for r in flag.records:
            records.add((r.kind, r.id))
            if r.person_id:
                persons.add(r.person_id)
            elif r.household_id and r.kind != "person":
                households.add(r.household_id)
    return records, persons, households
