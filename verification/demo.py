"""Spot-checks in the demo city (seed_demo): a clean sample, differences found and corrected, back-filled
ledgers flagged, and a reference import with mismatches."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import Workbook

from evaluations.models import Evaluation, Period, State
from ledgers.dates import add_months
from ledgers.live_facts import ledgers_changed
from ledgers.models import Employment, Household, Person, UnemploymentRegistration, Visit
from reports.cells import save_workbook

from . import services
from .models import Draw, Method, ReferenceKind, ReferenceList, ReferenceSource, Result
from .reference import import_file
from .selectors import fact_records

CLEAN_STATE = State.COUNTY_PASSED  # results already released to the community
CORRECTED_STATE = State.CITY_REVIEWING
BACKFILLED_STATE = State.SUBMITTED


def _community(period: Period, state: str):
    ev = Evaluation.objects.filter(period=period, state=state).select_related("community").order_by(
        "community__code").first()
    return ev.community if ev else None


def demo_communities(period: Period) -> dict[str, object]:
    return {"clean": _community(period, CLEAN_STATE), "corrected": _community(period, CORRECTED_STATE),
            "backfilled": _community(period, BACKFILLED_STATE)}


def create_demo_verification(period: Period, org: dict) -> list[str]:
    if Draw.objects.filter(period=period).exists():
        return ["抽查核实示范数据已存在，未改动"]
    units = demo_communities(period)
    reviewer = {u.unit_id: u for u in org["county_reviewers"]}
    notes = []
    clean = units["clean"]
    if clean is not None:
        user = reviewer[clean.county_id]
        d = services.draw(user, clean, period, "unemployment", count=5, seed=20260001)
        for c in d.checks.order_by("position"):
            services.record_check(user, c.pk, Method.PHONE, Result.CONFIRMED, notes="电话回访本人，登记情况属实")
        notes.append(f"{clean.name}：抽查5条失业登记，全部属实")
    corrected = units["corrected"]
    if corrected is not None:
        user = reviewer[corrected.county_id]
        d = services.draw(user, corrected, period, "employment", count=6, seed=20260002)
        # Check first the records behind the employment rates, so the invalid one shows on the sheet.
        behind = set(fact_records(Evaluation.objects.get(period=period, community=corrected)).get(
            "registered_unemployed_employed", []))
        checks = sorted(d.checks.select_related(), key=lambda c: (
            Employment.objects.get(pk=c.object_id).person_id not in behind, c.position))
        checks = [checks[1], checks[0], *checks[2:]]
        for c in checks[2:]:
            services.record_check(user, c.pk, Method.VISIT, Result.CONFIRMED, notes="上门核实，在岗")
        first = Employment.objects.get(pk=checks[0].object_id)
        services.record_check(user, checks[0].pk, Method.DOCUMENTS, Result.DIFFERS, "post", "仓库保管员",
                              notes="劳动合同所载岗位与台帐不一致")
        services.correct_record(user, checks[0].pk)
        services.record_check(user, checks[1].pk, Method.PHONE, Result.DIFFERS, "started_on",
                              f"{period.year + 1}-01-10", notes="本人称年底前尚未上岗")
        services.invalidate_record(user, checks[1].pk)
        notes.append(f"{corrected.name}：抽查6条就业记录，1条更正（{first.person.name[:1]}*）、1条认定无效")
        _reference(period, corrected, org["city_admin"])
        notes.append(f"参考名单：{corrected.name}的登记失业人员名单（含差异）")
    backfilled = units["backfilled"]
    if backfilled is not None:
        _backfill(period, backfilled)
        user = reviewer[backfilled.county_id]
        services.draw(user, backfilled, period, "visit", count=4, weighted=True, seed=20260003)
        notes.append(f"{backfilled.name}：台帐有补录迹象（风险提示），已按风险加权抽取4条走访记录")
    return notes


def _backfill(period: Period, community) -> None:
    """The patterns of a ledger back-filled from one template just before the deadline."""
    year = period.year
    text = "入户走访，了解家庭就业情况和需求，宣传就业创业政策"
    households = list(Household.objects.filter(community=community).order_by("pk")[:30])
    Visit.objects.bulk_create([Visit(household=hh, visited_on=date(year, 10, 2), visitor="社区专干", record=text)
                               for hh in households])
    # One phone for members of three households.
    seen: dict[int, int] = {}
    for pk, household in Person.objects.filter(community=community).order_by("pk").values_list("pk", "household_id"):
        seen.setdefault(household, pk)
        if len(seen) == 3:
            break
    Person.objects.filter(pk__in=list(seen.values())).update(phone="13800001234")
    # Unemployment dates written as "job date minus one month".
    first_job: dict[int, date] = {}
    for person, started in Employment.objects.filter(person__community=community).order_by(
            "started_on").values_list("person_id", "started_on"):
        first_job.setdefault(person, started)
    for reg in UnemploymentRegistration.objects.filter(person__community=community, person_id__in=first_job):
        reg.registered_on = add_months(first_job[reg.person_id], -1)
        if reg.ended_on and reg.ended_on < reg.registered_on:
            reg.ended_on = first_job[reg.person_id]
        reg.save(update_fields=["registered_on", "ended_on"])
    # Everybody entered in the last days before the deadline.
    deadline = period.self_deadline or date(year, 12, 31)
    when = timezone.make_aware(datetime.combine(deadline - timedelta(days=2), datetime.min.time()))
    Person.objects.filter(community=community).update(created_at=when)
    # Bulk writes skip the signals that mark the community's stored draft facts stale.
    ledgers_changed([community.pk])


def _reference(period: Period, community, admin) -> None:
    """A province export of the registered unemployed (renamed columns, saved mapping) with mismatches:
    one person left out, one date differing, one person unknown to the ledger."""
    regs = list(UnemploymentRegistration.objects.filter(person__community=community, ended_on__isnull=True)
                .select_related("person").order_by("pk")[:12])
    wb = Workbook()
    ws = wb.active
    ws.append(["公民身份号码", "姓名", "所属社区代码", "人员状态", "失业登记时间"])
    for i, r in enumerate(regs[1:]):
        when = r.registered_on + timedelta(days=10) if i == 0 else r.registered_on
        ws.append([r.person.id_number, r.person.name, community.code, "在册", when.strftime("%Y-%m-%d")])
    ws.append(["350102199203040016", "名单外人员", community.code, "在册", f"{period.year}-05-06"])
    buf = io.BytesIO()
    save_workbook(wb, buf)
    source = ReferenceSource.objects.create(
        name="省公共就业服务系统·登记失业人员", kind=ReferenceKind.UNEMPLOYED, updated_by=admin,
        mapping={"id_number": "公民身份号码", "community": "所属社区代码", "status": "人员状态", "date": "失业登记时间"})
    ref = ReferenceList(source=source, kind=source.kind, as_of=date(period.year, 11, 30),
                        original_name="失业人员导出.xlsx", created_by=admin)
    ref.file.save("demo-unemployed.xlsx", ContentFile(buf.getvalue()), save=False)
    ref.save()
    import_file(ref)
