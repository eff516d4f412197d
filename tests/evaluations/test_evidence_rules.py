"""Issue 12 item 2: which lines need evidence, a warning or a block, one file for several lines."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluations import evidence_rules
from evaluations.models import EvidenceCheck, Period
from evaluations.services import evidence as evidence_service
from evaluations.services import workflow
from evaluations.services.workflow import WorkflowError
from tests.cast import PASSWORD
from tests.evaluations.test_evidence_service import PDF

from .conftest import fill_stage


def _filled(cast, evaluation):

    return fill_stage(evaluation, cast.operator, "self")


def test_default_excludes_ledger_lines_from_standard_data(period):
    computed = evidence_rules.ledger_lines(period)
    candidates = evidence_rules.candidate_lines(period)
    assert computed and not computed & set(candidates)
    # Lines scored 0 need nothing.
    assert evidence_rules.required(period, {candidates[0]: 0}) == []


def test_warn_lets_submission_through_and_lists_lines(client, cast, evaluation):
    _filled(cast, evaluation)
    gaps = evidence_rules.gaps_for(evaluation)
    assert gaps
    client.login(username=cast.operator.username, password=PASSWORD)
    html = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert 'data-testid="evidence-gaps"' in html and f'href="#{gaps[0].dom_id}"' in html
    response = client.post(reverse("evaluations:transition", args=[evaluation.pk, "submit"]),
                           {"revision": evaluation.revision, "comment": ""}, follow=True)
    evaluation.refresh_from_db()
    assert evaluation.state == "submitted"
    assert "尚无证明材料" in response.content.decode()


def test_block_refuses_submission_until_evidence_is_there(cast, evaluation, period):
    Period.objects.filter(pk=period.pk).update(evidence_check=EvidenceCheck.BLOCK, evidence_lines=["1.1", "2.1"])
    evaluation.refresh_from_db()
    _filled(cast, evaluation)
    with pytest.raises(WorkflowError, match="2 个评审项尚无证明材料") as info:
        workflow.submit(evaluation, cast.operator)
    assert any("第 1.1 项" in p for p in info.value.problems)
    # One file backs both lines.
    evidence_service.upload(evaluation, cast.operator, "1.1", SimpleUploadedFile("a.pdf", PDF), also_lines=["2.1"])
    assert evidence_service.evidence_counts(evaluation) == {"1.1": 1, "2.1": 1}
    assert workflow.submit(evaluation, cast.operator).state == "submitted"


def test_set_lines_moves_the_counts_and_is_audited(cast, evaluation):
    rev = evidence_service.upload(evaluation, cast.operator, "1.1", SimpleUploadedFile("a.pdf", PDF))
    evidence_service.set_lines(evaluation, cast.operator, rev.evidence, ["1.2", "3.4"])
    assert evidence_service.evidence_counts(evaluation) == {"1.1": 1, "1.2": 1, "3.4": 1}
    assert [e.pk for e in evidence_service.active_evidence(evaluation, "3.4")] == [rev.evidence_id]
    assert evaluation.audit_events.filter(kind="evidence", field="lines").exists()
    with pytest.raises(evidence_service.EvidenceError):
        evidence_service.set_lines(evaluation, cast.county_reviewer, rev.evidence, ["1.1"])


def test_non_inline_types_still_download(client, cast, evaluation):
    from tests.evaluations.test_evidence_service import DOCX

    rev = evidence_service.upload(evaluation, cast.operator, "1.1", SimpleUploadedFile("a.docx", DOCX))
    client.login(username=cast.operator.username, password=PASSWORD)
    response = client.get(reverse("evaluations:evidence_download", args=[evaluation.pk, rev.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
