"""The audit trail page: everything in AuditEvent and Transition, newest first, with filters."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluations.audit import record
from evaluations.models import AuditEvent, Evaluation, State, Transition
from evaluations.services import evidence as evidence_service
from evaluations.services import scores as score_service
from evaluations.services import workflow
from evaluations.views_history import history_entries
from tests.cast import PASSWORD
from tests.evaluations.test_evidence_service import PDF


@pytest.fixture
def trail(evaluation, cast):
    """A score, a reason-bearing county score, a fact, an evidence upload and a state change."""
    record(evaluation, cast.operator, "score", line_id="1.2", stage="self", field="score", old=None, new=5)
    record(evaluation, cast.operator, "score", line_id="1.2", stage="self", field="score", old=5, new=4.5)
    record(evaluation, cast.operator, "fact", field="staff_count", old=None, new=3, note="协理员人数")
    evidence_service.upload(evaluation, cast.operator, "1.2", SimpleUploadedFile("证书.pdf", PDF), title="资格证书")
    Transition.objects.create(
        evaluation=evaluation, action="submit", from_state=State.DRAFT, to_state=State.SUBMITTED, user=cast.operator
    )
    record(evaluation, cast.county_reviewer, "score", line_id="1.2", stage="county", field="score", old=None, new=3)
    record(evaluation, cast.county_reviewer, "reason", line_id="1.2", stage="county", field="reason", old="", new="无证书")
    Evaluation.objects.filter(pk=evaluation.pk).update(state=State.COUNTY_REVIEWING)
    evaluation.refresh_from_db()
    return evaluation


def test_everything_newest_first_with_old_and_new(client, cast, trail):
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    response = client.get(reverse("evaluations:history", args=[trail.pk]))
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [e.kind for e in entries] == ["reason", "score", "state", "evidence", "fact", "score", "score"]
    assert entries[1].old == "（空）" and entries[1].new == "3" and entries[1].user == str(cast.county_reviewer)
    assert entries[2].old == "草稿" and entries[2].new == "待县级审核" and entries[2].field_label == "提交县级审核"
    assert "「资格证书」第 1 版" in entries[3].new and "SHA-256" in entries[3].new
    assert entries[4].field_label == trail.period.standard.standard.facts["staff_count"].label
    assert entries[5].old == "5" and entries[5].new == "4.5"
    html = response.content.decode()
    assert "无证书" in html and "4.5" in html


def test_filters(client, cast, trail):
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    url = reverse("evaluations:history", args=[trail.pk])
    by_stage = client.get(url, {"stage": "county"}).context["entries"]
    assert {e.stage for e in by_stage} == {"county"} and len(by_stage) == 2
    by_kind = client.get(url, {"kind": "evidence"}).context["entries"]
    assert [e.kind for e in by_kind] == ["evidence"]
    by_state = client.get(url, {"kind": "state"}).context["entries"]
    assert [e.kind for e in by_state] == ["state"]
    by_line = client.get(url, {"line": "1.2"}).context["entries"]
    assert {e.line_id for e in by_line} == {"1.2"} and len(by_line) == 5


def test_community_does_not_see_county_work_in_progress(cast, trail):
    kinds = [(e.kind, e.stage) for e in history_entries(trail, cast.operator)]
    assert ("score", "county") not in kinds and ("reason", "county") not in kinds
    assert ("score", "self") in kinds


def test_panel_fragment(client, cast, trail):
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    response = client.get(reverse("evaluations:history", args=[trail.pk]), {"panel": "1", "line": "1.2"})
    assert response.status_code == 200
    assert response.templates[0].name == "evaluations/_history_panel.html"
    html = response.content.decode()
    assert "<html" not in html and "无证书" in html and "?line=1.2" in html


def test_state_change_from_workflow_appears_once(client, cast, evaluation):
    # The workflow writes a Transition and a "state" AuditEvent for one step: the trail shows it once.
    workflow_state_events = AuditEvent.objects.filter(kind="state").count()
    assert workflow_state_events == 0
    Evaluation.objects.filter(pk=evaluation.pk).update(state=State.SUBMITTED)
    evaluation.refresh_from_db()
    workflow.transition(evaluation, cast.county_reviewer, "county_return", comment="材料不全", lines=["1.1"])
    entries = history_entries(evaluation, cast.operator)
    states = [e for e in entries if e.kind == "state"]
    assert len(states) == 1
    assert states[0].new == "草稿" and "材料不全" in states[0].note and "1.1" in states[0].note


def test_audit_rows_are_append_only(trail):
    event = AuditEvent.objects.filter(evaluation=trail).first()
    event.note = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(evaluation=trail).delete()


@pytest.mark.parametrize(("who", "status"), [("street_viewer", 200), ("outsider", 404), ("other_county_reviewer", 404)])
def test_scope(client, cast, evaluation, who, status):
    client.login(username=getattr(cast, who).username, password=PASSWORD)
    assert client.get(reverse("evaluations:history", args=[evaluation.pk])).status_code == status


def test_innovation_text_change_is_in_the_trail(cast, evaluation):
    score_service.save_innovation_text(evaluation, cast.operator, "创新做法")
    entries = history_entries(evaluation, cast.operator, line="5")
    assert entries[0].kind == "innovation" and entries[0].new == "创新做法" and entries[0].old == "（空）"
