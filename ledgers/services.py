"""Writing the ledgers from the pages: one function per change, in a transaction, with its event."""

from __future__ import annotations

from django.db import models, transaction

from evaluations.facts import forget_facts
from orgs import tabular
from orgs.models import Level, Unit
from orgs.scoping import can, visible_communities

from . import duplicates
from .models import Household, LedgerEvent, Person


class LedgerError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def editable_communities(user):
    if not can(user, "edit_ledger"):
        return Unit.objects.none()
    return visible_communities(user)


def check_community(user, community: Unit) -> None:
    if community.level != Level.COMMUNITY or not editable_communities(user).filter(pk=community.pk).exists():
        raise LedgerError("您无权修改该社区的台帐。")


def log(user, community_id: int, action: str, obj: models.Model | None, note: str = "", model: str = "") -> None:
    forget_facts()  # every ledger write is logged: facts read later in this request are recomputed
    LedgerEvent.objects.create(
        community_id=community_id,
        user=user,
        action=action,
        model=model or (obj._meta.model_name if obj is not None else ""),
        object_id=obj.pk if obj is not None else None,
        note=note,
    )


def other_community_of(id_number: str, community_id: int) -> Unit | None:
    other = Person.objects.filter(id_number=id_number).exclude(community_id=community_id).select_related("community")
    first = other.first()
    return first.community if first else None


def household_for(community: Unit, code: str, person_name: str, address: str) -> Household:
    """The household with that code, or a new one (a household of one when no code is given)."""
    code = (code or "").strip()
    if code:
        hh = Household.objects.filter(community=community, code=code).first()
        if hh is not None:
            return hh
    hh = Household.objects.create(community=community, code=code or "待编号", head_name=person_name, address=address)
    if not code:
        hh.code = f"H{hh.pk:06d}"
        hh.save(update_fields=["code"])
    return hh


def save_person(user, community: Unit, form, channel: str = "page") -> Person:
    """Create or correct a person from a valid PersonForm."""
    check_community(user, community)
    person: Person = form.instance
    rid = form.resident_id
    other = other_community_of(rid.number, community.pk)
    if other is not None:
        # Recorded outside the (rolled-back) write; the operator is not told where (ledgers.duplicates).
        duplicates.record(user, rid.number, community, other, channel)
        raise LedgerError(duplicates.message(user, community, other), "id_number")
    with transaction.atomic():
        if person.pk:
            person = Person.objects.select_for_update().get(pk=person.pk)
            if person.community_id != community.pk:
                raise LedgerError("该人员不属于此社区。")
        same = Person.objects.filter(community=community, id_number=rid.number).exclude(pk=person.pk).first()
        if same is not None:
            raise LedgerError(f"本社区台帐中已有该身份证号的人员（{same.name}），请直接修改其记录。", "id_number")
        created = person.pk is None
        obj = form.save(commit=False)
        obj.community = community
        obj.birth_date, obj.sex = rid.birth_date, rid.sex
        code = form.cleaned_data.get("household_code", "")
        if created or (code and code != obj.household.code):
            obj.household = household_for(community, code, obj.name, obj.address)
        obj.save()
        log(user, community.pk, "create" if created else "update", obj, f"{obj.name}")
    return obj


def save_record(user, community: Unit, form, **parents) -> models.Model:
    """Create or correct a record belonging to a person, household or employer of `community`."""
    check_community(user, community)
    with transaction.atomic():
        created = form.instance.pk is None
        if not created:
            type(form.instance).objects.select_for_update().filter(pk=form.instance.pk).first()
        obj = form.save(commit=False)
        for name, value in parents.items():
            setattr(obj, name, value)
        obj.save()
        log(user, community.pk, "create" if created else "update", obj)
    return obj


def save_owned(user, community: Unit, form) -> models.Model:
    """Create or correct a record that belongs directly to a community (household, employer, complaint)."""
    check_community(user, community)
    with transaction.atomic():
        created = form.instance.pk is None
        obj = form.save(commit=False)
        if not created and obj.community_id != community.pk:
            raise LedgerError("该记录不属于此社区。")
        obj.community = community
        if hasattr(form, "credit_warning"):
            obj.credit_code_warning = form.credit_warning
        try:
            with transaction.atomic():
                obj.save()
        except Exception as exc:  # unique (community, code/name)
            from django.db import IntegrityError

            if isinstance(exc, IntegrityError):
                raise LedgerError("本社区台帐中已有相同编号或名称的记录。") from exc
            raise
        log(user, community.pk, "create" if created else "update", obj)
    return obj


def check_import(user, community: Unit, kind: str, upload, sensitive: bool):
    """Store the upload and dry-run it; the job keeps the plan's summary for the page."""
    from django.utils import timezone  # noqa: F401

    from .imports import SPECS, ImportFileError, run_import
    from .models import ImportJob

    check_community(user, community)
    if kind not in SPECS:
        raise LedgerError("请选择要导入的台帐。", "kind")
    if not upload.name.lower().endswith(".xlsx"):
        raise LedgerError("请上传 .xlsx 格式的文件（可先下载模板填写）。", "file")
    try:
        tabular.check_size(upload.size)  # before the upload is stored or parsed
    except tabular.LimitExceeded as exc:
        raise LedgerError(exc.message, "file") from exc
    job = ImportJob(community=community, kind=kind, original_name=upload.name[:255], created_by=user,
                    status=ImportJob.Status.CHECKED)
    job.file.save(upload.name, upload, save=False)
    try:
        plan = run_import(SPECS[kind], job.file.path, community, user, sensitive, apply=False)
    except ImportFileError as exc:
        job.file.delete(save=False)
        raise LedgerError(exc.message, "file") from exc
    except BaseException:
        job.file.delete(save=False)  # nothing of a failed check stays on disk
        raise
    job.status = ImportJob.Status.CHECKED if plan.ok else ImportJob.Status.REJECTED
    job.summary = plan.summary()
    if not plan.ok:
        job.file.delete(save=False)  # a rejected upload is not kept (the summary lists its errors)
    job.save()
    return job


def apply_import(user, job_id: int, sensitive: bool):
    """Write a checked file, all or nothing; re-validated against the ledgers as they are now."""
    from django.utils import timezone

    from .imports import SPECS, ImportFileError, run_import
    from .models import ImportJob

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("community").get(pk=job_id)
        check_community(user, job.community)
        if job.status != ImportJob.Status.CHECKED:
            raise LedgerError(f"该文件状态为“{job.get_status_display()}”，不能导入。")
        try:
            plan = run_import(SPECS[job.kind], job.file.path, job.community, user, sensitive, apply=True)
        except ImportFileError as exc:
            raise LedgerError(exc.message) from exc
        job.summary = plan.summary()
        if plan.ok:
            job.status, job.applied_at = ImportJob.Status.APPLIED, timezone.now()
        else:
            job.status = ImportJob.Status.REJECTED
            job.file.delete(save=False)
        job.save(update_fields=["summary", "status", "applied_at", "file"])
    forget_facts()
    return job, plan
