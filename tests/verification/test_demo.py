"""The demo city: a clean sample, differences found and corrected, back-filled ledgers flagged (every flag),
and a reference import with mismatches; the clean community raises no flag."""

from io import StringIO

import pytest
from django.core.management import call_command

from evaluations.models import Evaluation, Period
from ledgers.models import LedgerEvent
from verification.demo import demo_communities
from verification.models import Check, Outcome, ReferenceList, Result
from verification.reference import reconcile
from verification.risk import FLAG_TITLES, flags_for
from verification.selectors import sheet_verification

pytestmark = pytest.mark.django_db


def test_demo_verification():
    call_command("seed_demo", stdout=StringIO())
    period = Period.objects.get(year=2026)
    units = demo_communities(period)
    flags = flags_for([u.pk for u in units.values()], 2026, period.self_deadline)

    assert flags[units["clean"].pk] == []
    clean = Check.objects.filter(draw__community=units["clean"])
    assert clean.count() == 5 and set(clean.values_list("result", flat=True)) == {Result.CONFIRMED}

    assert {f.code for f in flags[units["backfilled"].pk]} == set(FLAG_TITLES)

    corrected = Check.objects.filter(draw__community=units["corrected"])
    assert set(corrected.exclude(outcome="").values_list("outcome", flat=True)) == {Outcome.CORRECTED, Outcome.INVALID}
    fixed = corrected.get(outcome=Outcome.CORRECTED)
    assert LedgerEvent.objects.filter(object_id=fixed.object_id, note__contains=f"核查任务 {fixed.pk}").exists()
    sheet = sheet_verification(Evaluation.objects.get(period=period, community=units["corrected"]))
    assert sheet.invalid == 1 and any(row.wrong for row in sheet.lines)

    assert ReferenceList.objects.get().status == ReferenceList.Status.APPLIED
    rec = reconcile(units["corrected"], "unemployed")
    assert [len(items) for _, _, items in rec.sections] == [1, 1, 0, 1, 0]
