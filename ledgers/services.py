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
        same = Person.all_objects.filter(community=community, id_number=rid.number).exclude(pk=person.pk).first()
        if same is not None and same.voided_at is not None:
            raise LedgerError(f"本社区台帐中有该身份证号的作废记录（{same.name}），请由县级或市级人员恢复该记录后再修改。",
                              "id_number")
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


def void_person(user, person_id: int, reason: str) -> Person:
    """作废 a person record (entered by mistake, a duplicate): out of lists and facts, kept and restorable."""
    from django.utils import timezone

    reason = (reason or "").strip()
    if not can(user, "void_person"):
        raise LedgerError("您的角色无权作废人员记录。")
    if not reason:
        raise LedgerError("请填写作废原因。", "reason")
    with transaction.atomic():
        person = Person.all_objects.select_for_update().get(pk=person_id)
        if not visible_communities(user).filter(pk=person.community_id).exists():
            raise LedgerError("该人员不在您的管辖范围内。")
        if person.voided_at is not None:
            raise LedgerError(f"“{person.name}”的记录已作废。")
        person.voided_at, person.voided_by, person.void_reason = timezone.now(), user, reason[:200]
        person.save(update_fields=["voided_at", "voided_by", "void_reason"])
        log(user, person.community_id, "void", person, f"{person.name}：{reason}")
    return person


def restore_person(user, person_id: int) -> Person:
    """Undo a void (county or city): the record counts again in lists and facts."""
    if not can(user, "restore_person"):
        raise LedgerError("只有县级或市级人员可以恢复作废的人员记录。")
    with transaction.atomic():
        person = Person.all_objects.select_for_update().get(pk=person_id)
        if not visible_communities(user).filter(pk=person.community_id).exists():
            raise LedgerError("该人员不在您的管辖范围内。")
        if person.voided_at is None:
            raise LedgerError(f"“{person.name}”的记录未作废。")
        other = other_community_of(person.id_number, person.community_id)
        if other is not None:
            raise LedgerError("该身份证号已在其他社区登记，不能恢复；请先核实两处登记。")
        person.voided_at, person.voided_by, person.void_reason = None, None, ""
        person.save(update_fields=["voided_at", "voided_by", "void_reason"])
        log(user, person.community_id, "restore", person, person.name)
    return person


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
    """Store the upload and start its dry run as a background job; the page follows the job and then
    shows the plan's summary, which the job keeps on the ImportJob."""

    from .imports import SPECS
    from .models import ImportJob

    check_community(user, community)
    if kind not in SPECS:
        raise LedgerError("请选择要导入的台帐。", "kind")
    if not upload.name.lower().endswith(".xlsx"):
        raise LedgerError("请上传 .xlsx 格式的文件（可先下载模板填写）。", "file")
    try:
        tabular.check_size(upload.size)  # before the upload is stored or parsed
        # The package's directory (not a zip, zip bomb) is read at once; the rows by the job.
        tabular._check_package(upload, tabular.Limits.from_settings())
    except tabular.TabularError as exc:
        raise LedgerError(exc.message, "file") from exc
    job = ImportJob(community=community, kind=kind, original_name=upload.name[:255], created_by=user,
                    status=ImportJob.Status.CHECKING)
    job.file.save(upload.name, upload, save=False)
    job.save()
    _start_import_job(user, job, "ledger_check", f"台帐导入预检：{SPECS[kind].label}（{job.original_name}）",
                      sensitive)
    job.refresh_from_db()
    return job


def apply_import(user, job_id: int, sensitive: bool):
    """Start writing a checked file as a background job: all or nothing, re-validated against the
    ledgers as they are when it runs."""
    from .imports import SPECS
    from .models import ImportJob

    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).select_related("community").get(pk=job_id)
        check_community(user, job.community)
        if job.status != ImportJob.Status.CHECKED:
            raise LedgerError(f"该文件状态为“{job.get_status_display()}”，不能导入。")
        job.status = ImportJob.Status.APPLYING
        job.save(update_fields=["status"])
    _start_import_job(user, job, "ledger_apply", f"台帐导入：{SPECS[job.kind].label}（{job.original_name}）",
                      sensitive)
    forget_facts()  # an immediate backend has applied it already
    job.refresh_from_db()
    return job


def _start_import_job(user, job, kind: str, title: str, sensitive: bool) -> None:
    from django.urls import reverse

    from jobs.services import start

    from .models import ImportJob

    background = start(kind, user, job.community, title, {"import_id": job.pk, "sensitive": sensitive},
                       link=reverse("ledgers:import_detail", args=[job.pk]), shared=True)
    # The job may have finished already (immediate backend); keep whatever status it set.
    ImportJob.objects.filter(pk=job.pk).update(background=background)
    if background.state == background.State.FAILED and not background.started_at:
        # The queue refused the job: the file goes back to where it was.
        back = ImportJob.Status.CHECKED if kind == "ledger_apply" else ImportJob.Status.REJECTED
        ImportJob.objects.filter(pk=job.pk).update(status=back)
