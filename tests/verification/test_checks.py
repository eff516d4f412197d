"""A "differs" check: correcting the record (audited, check linked) or marking it invalid, which changes the
suggestion recomputed by the engine while the original stays visible."""

from datetime import date

import pytest

from ledgers.models import Employment, LedgerEvent
from tests.ledgers import factories as lf
from verification import services
from verification.models import Outcome, Result
from verification.selectors import sheet_verification


def _community(community, n=10):
    for i in range(n):
        p = lf.person(community, name=f"就业{i}")
        lf.unemployed(p, date(2026, 2, 1 + i))
        lf.employed(p, date(2026, 6, 1 + i))


@pytest.mark.django_db
def test_invalid_record_changes_recomputed_suggestion_and_keeps_original(cast, period, evaluation):
    _community(cast.community)
    d = services.draw(cast.county_reviewer, cast.community, period, "employment", count=10, seed=7)
    check = d.checks.order_by("position").first()
    services.record_check(cast.county_reviewer, check.pk, "phone", Result.DIFFERS, "started_on", "2027-01-05",
                          notes="本人电话称尚未就业")
    before = sheet_verification(evaluation)
    assert not any(row.changed for row in before.lines)
    services.invalidate_record(cast.county_reviewer, check.pk)
    after = sheet_verification(evaluation)
    changed = [row for row in after.lines if row.changed]
    assert changed, "the recomputed suggestion must differ"
    row = changed[0]
    assert row.original.score != row.adjusted.score
    assert row.original.score == next(r for r in before.lines if r.line_id == row.line_id).original.score
    assert row.checked >= 1 and row.wrong == 1 and row.invalid == 1
    assert after.adjusted_facts["registered_unemployed_employed"] == 9


@pytest.mark.django_db
def test_correction_goes_through_the_model_and_is_audited(cast, period, evaluation):
    _community(cast.community, 3)
    d = services.draw(cast.county_reviewer, cast.community, period, "employment", count=1, seed=1)
    check = d.checks.get()
    # A value the model's clean() refuses is reported, nothing written.
    services.record_check(cast.county_reviewer, check.pk, "visit", Result.DIFFERS, "ended_on", "2020-01-01")
    with pytest.raises(services.VerificationError, match="校验"):
        services.correct_record(cast.county_reviewer, check.pk)
    services.record_check(cast.county_reviewer, check.pk, "visit", Result.DIFFERS, "post", "保洁员")
    services.correct_record(cast.county_reviewer, check.pk)
    assert Employment.objects.get(pk=check.object_id).post == "保洁员"
    event = LedgerEvent.objects.filter(action="update", model="employment", object_id=check.object_id).get()
    assert f"核查任务 {check.pk}" in event.note
    check.refresh_from_db()
    assert check.outcome == Outcome.CORRECTED
    with pytest.raises(services.VerificationError):
        services.record_check(cast.county_reviewer, check.pk, "visit", Result.CONFIRMED)


@pytest.mark.django_db
def test_sheet_shows_checks_next_to_lines_and_both_suggestions(client, cast, period, evaluation):
    from django.urls import reverse

    _community(cast.community)
    d = services.draw(cast.county_reviewer, cast.community, period, "employment", count=10, seed=7)
    check = d.checks.order_by("position").first()
    services.record_check(cast.county_reviewer, check.pk, "phone", Result.DIFFERS, "started_on", "2027-01-05")
    services.invalidate_record(cast.county_reviewer, check.pk)
    changed = next(row for row in sheet_verification(evaluation).lines if row.changed)
    client.force_login(cast.county_reviewer)
    page = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert f'data-testid="line-verification-{changed.line_id}"' in page
    assert "剔除无效记录后建议" in page
    assert f'data-testid="original-{changed.line_id}">{changed.original.score}<' in page
    # The community operator sees nothing while the county has not decided (the sheet is a draft).
    client.force_login(cast.operator)
    page = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert "verification-panel" not in page and "line-verification-" not in page
