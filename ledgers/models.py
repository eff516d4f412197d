"""Ledgers (台帐) of one community: persons and households, registrations, employment, services,
visits, employers and complaints. The facts of the standard are computed from them (facts.py)."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .dates import add_months

# Generated household codes: "R-" and 10 random hex digits (the old "R-<ID number>" leaked the ID).
GENERATED_CODE_PREFIX = "R-"


def check_record(record: models.Model, *ranges: tuple[str, str], reason: tuple[str, str] | None = None) -> None:
    """The cross-field rules of a ledger record, one place for every path that writes it.

    `ranges`: (start field, end field) pairs where the end may not precede the start; `reason`:
    (date field, reason field) — a filled date needs its reason. The page forms (ModelForm runs
    `clean()`), the API (the same forms) and the import (`ledgers.imports` calls `clean()` per row)
    all report these messages on the same field.
    """
    errors: dict[str, str] = {}
    opts = record._meta
    for start, end in ranges:
        a, b = getattr(record, start), getattr(record, end)
        if a and b and b < a:
            errors[end] = f"“{opts.get_field(end).verbose_name}”不能早于“{opts.get_field(start).verbose_name}”"
    if reason is not None:
        when, why = reason
        if getattr(record, when) and not getattr(record, why):
            label = opts.get_field(why).verbose_name
            errors.setdefault(why, f"已填写{opts.get_field(when).verbose_name}，请选择{label}")
    if errors:
        raise ValidationError(errors)


class Household(models.Model):
    scope_path = "community"

    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("户编号", max_length=40)
    head_name = models.CharField("户主姓名", max_length=50)
    address = models.CharField("家庭住址", max_length=200, blank=True)
    helper = models.CharField("帮扶责任人", max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "家庭"
        verbose_name_plural = "家庭"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["community", "code"], name="household_code_unique")]

    @staticmethod
    def generated_code() -> str:
        """Code of a household created without a 户编号: random, never derived from personal data."""
        return GENERATED_CODE_PREFIX + secrets.token_hex(5).upper()

    def __str__(self) -> str:
        return f"{self.head_name}户（{self.code}）"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class FemaleRetirementGroup(models.TextChoices):
    FORMER_50 = "50", "原50周岁退休"
    FORMER_55 = "55", "原55周岁退休"


# Group flags on Person: (field, label, sensitive).
GROUPS = [
    ("is_graduate", "高校毕业生", False),
    ("is_veteran", "退役军人", False),
    ("is_rural_migrant", "农村转移劳动力", False),
    ("is_military_spouse", "随军家属", False),
    ("is_disabled", "残疾人", True),
    ("is_released_prisoner", "刑满释放人员", True),
    ("is_drug_rehab", "戒毒康复人员", True),
]
SENSITIVE_GROUPS = [f for f, _, s in GROUPS if s]


class ActivePersonManager(models.Manager):
    """Persons not voided: every list, fact, export and API read by default (`Person.objects`)."""

    def get_queryset(self):
        return super().get_queryset().filter(voided_at__isnull=True)


class Person(models.Model):
    scope_path = "community"

    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, verbose_name="家庭", on_delete=models.PROTECT, related_name="members"
    )
    relation = models.CharField("与户主关系", max_length=20, blank=True)
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18)
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    # A woman's former statutory retirement age decides her new one (ledgers.retirement); men: not used.
    female_retirement_group = models.CharField(
        "原法定退休年龄（女性）", max_length=2, choices=FemaleRetirementGroup.choices,
        default=FemaleRetirementGroup.FORMER_50, blank=True,
        help_text="仅对女性有效：原50周岁退休（女职工）或原55周岁退休（女干部、管理岗位）；不填按原50周岁；男性不适用",
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    education = models.CharField("文化程度", max_length=20, blank=True)
    labour_capacity = models.BooleanField("有劳动能力", default=True)
    wish_to_work = models.BooleanField("有就业愿望", default=True)
    employment_card_no = models.CharField("就业创业证号", max_length=40, blank=True)
    is_graduate = models.BooleanField("高校毕业生", default=False)
    is_veteran = models.BooleanField("退役军人", default=False)
    is_rural_migrant = models.BooleanField("农村转移劳动力", default=False)
    is_military_spouse = models.BooleanField("随军家属", default=False)
    is_disabled = models.BooleanField("残疾人", default=False)
    is_released_prisoner = models.BooleanField("刑满释放人员", default=False)
    is_drug_rehab = models.BooleanField("戒毒康复人员", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # 作废: a record entered by mistake (or a duplicate) leaves the lists and facts but is kept, with who
    # voided it and why; a county or city user may restore it (ledgers.services.void_person).
    voided_at = models.DateTimeField("作废时间", null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作废人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", editable=False)
    void_reason = models.CharField("作废原因", max_length=200, blank=True, editable=False)

    objects = ActivePersonManager()
    all_objects = models.Manager()  # voided ones too: the person page, restoring, uniqueness

    class Meta:
        base_manager_name = "all_objects"
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["household__code", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "id_number"], name="person_id_unique")]
        indexes = [
            models.Index(fields=["id_number"]),
            # Lists and facts read the persons not voided, community by community: counted from this
            # index alone (without it, every row of the city is read to leave out the voided ones).
            models.Index(fields=["community"], condition=models.Q(voided_at__isnull=True), name="person_active_community"),
        ]

    @property
    def age(self) -> int:
        """Age today; lists show it instead of the birth date, which the masked ID hides."""
        today = date.today()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    def __str__(self) -> str:
        return self.name

    @property
    def in_population(self) -> bool:
        return self.labour_capacity and self.wish_to_work

    @property
    def retirement_date(self) -> date:
        from .retirement import retirement_date

        return retirement_date(self.birth_date, self.sex, self.female_retirement_group)


class EndReason(models.TextChoices):
    EMPLOYED = "employed", "就业"
    BUSINESS = "business", "自主创业"
    INCOME = "income", "稳定收入达最低工资"
    PENSION = "pension", "退休或领取养老金"
    INCAPACITY = "incapacity", "完全丧失劳动能力"
    SCHOOL = "school", "入学或服兵役"
    EMIGRATION = "emigration", "移居境外"
    PRISON = "prison", "被判刑收监"
    REFUSAL = "refusal", "多次拒绝服务"
    NO_CONTACT = "no_contact", "长期失去联系"
    OTHER = "other", "其他"


class UnemploymentRegistration(models.Model):
    scope_path = "person__community"

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="unemployment")
    registered_on = models.DateField("失业登记日期")
    ended_on = models.DateField("注销日期", null=True, blank=True)
    end_reason = models.CharField("注销原因", max_length=20, choices=EndReason.choices, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "失业登记"
        verbose_name_plural = "失业登记"
        ordering = ["-registered_on"]
        indexes = [models.Index(fields=["person", "registered_on"])]

    def clean(self) -> None:
        check_record(self, ("registered_on", "ended_on"), reason=("ended_on", "end_reason"))


class HardshipCategory(models.TextChoices):
    AGE_4050 = "4050", "4050人员"
    DISABLED = "disabled", "残疾人"
    DIBAO = "dibao", "低保家庭成员"
    LONG_TERM = "long_term", "长期失业人员"
    ZERO_EMPLOYMENT = "zero_household", "零就业家庭成员"
    RELEASED = "released", "刑满释放人员"
    DRUG_REHAB = "drug_rehab", "戒毒康复人员"
    VETERAN = "veteran", "退役军人"
    MILITARY_SPOUSE = "military_spouse", "随军家属"
    SINGLE_PARENT = "single_parent", "单亲家庭"
    LAND_LOST = "land_lost", "失地农民"
    GRADUATE = "graduate", "离校半年以上未就业高校毕业生"
    OTHER = "other", "其他"


SENSITIVE_CATEGORIES = {HardshipCategory.DISABLED, HardshipCategory.RELEASED, HardshipCategory.DRUG_REHAB}


class HardshipRecognition(models.Model):
    scope_path = "person__community"

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="hardship")
    category = models.CharField("困难类别", max_length=20, choices=HardshipCategory.choices)
    recognized_on = models.DateField("认定日期")
    exited_on = models.DateField("退出日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "就业困难人员认定"
        verbose_name_plural = "就业困难人员认定"
        ordering = ["-recognized_on"]

    def clean(self) -> None:
        check_record(self, ("recognized_on", "exited_on"))


class ZeroExitReason(models.TextChoices):
    EMPLOYED = "employed", "家庭成员实现就业"
    REFUSAL = "refusal", "无正当理由拒绝安置"
    NO_CONTACT = "no_contact", "失去联系"
    MOVED = "moved", "迁出本社区"
    OTHER = "other", "其他"


class ZeroEmploymentHousehold(models.Model):
    scope_path = "household__community"

    household = models.ForeignKey(
        Household, verbose_name="家庭", on_delete=models.CASCADE, related_name="zero_employment"
    )
    recognized_on = models.DateField("认定日期")
    # One calendar month after recognition, clamped (STANDARD.md decision 3); stored for set-based queries.
    clear_deadline = models.DateField("一个月安置期限", editable=False)
    exited_on = models.DateField("退出日期", null=True, blank=True)
    exit_reason = models.CharField("退出原因", max_length=20, choices=ZeroExitReason.choices, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "零就业家庭认定"
        verbose_name_plural = "零就业家庭认定"
        ordering = ["-recognized_on"]

    # Fields computed from others: set by clean() and save(); the import copies them from clean().
    DERIVED_FIELDS = ("clear_deadline",)

    def derive(self) -> None:
        if self.recognized_on:
            self.clear_deadline = add_months(self.recognized_on, 1)

    def clean(self) -> None:
        check_record(self, ("recognized_on", "exited_on"), reason=("exited_on", "exit_reason"))
        self.derive()

    def save(self, *args, **kwargs):
        self.derive()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = list(set(kwargs["update_fields"]) | {"clear_deadline"})
        super().save(*args, **kwargs)


class Employer(models.Model):
    scope_path = "community"

    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("单位名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    credit_code_warning = models.CharField("代码核验提示", max_length=200, blank=True)
    industry = models.CharField("行业", max_length=50, blank=True)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = "用人单位"
        verbose_name_plural = "用人单位"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="employer_name_unique")]

    def __str__(self) -> str:
        return self.name


class Vacancy(models.Model):
    scope_path = "employer__community"

    employer = models.ForeignKey(Employer, verbose_name="用人单位", on_delete=models.CASCADE, related_name="vacancies")
    title = models.CharField("岗位名称", max_length=100)
    headcount = models.PositiveIntegerField("招聘人数", default=1)
    salary = models.CharField("薪资待遇", max_length=50, blank=True)
    published_on = models.DateField("发布日期")
    closed_on = models.DateField("截止日期", null=True, blank=True)

    class Meta:
        verbose_name = "招聘岗位"
        verbose_name_plural = "招聘岗位"
        ordering = ["-published_on"]

    def clean(self) -> None:
        check_record(self, ("published_on", "closed_on"))

    def __str__(self) -> str:
        return f"{self.employer.name} · {self.title}"


class Channel(models.TextChoices):
    UNIT = "unit", "单位就业"
    SELF = "self", "自主创业"
    FLEXIBLE = "flexible", "灵活就业"
    WELFARE_POST = "welfare_post", "公益性岗位"


class Employment(models.Model):
    """An employment record; employers' hires are the unit-employment records naming them."""

    scope_path = "person__community"

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="employment")
    channel = models.CharField("就业去向", max_length=20, choices=Channel.choices)
    employer = models.ForeignKey(
        Employer, verbose_name="用人单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="hires"
    )
    vacancy = models.ForeignKey(
        Vacancy, verbose_name="招聘岗位", null=True, blank=True, on_delete=models.SET_NULL, related_name="hires"
    )
    employer_name = models.CharField("就业单位/项目", max_length=200, blank=True)
    post = models.CharField("岗位", max_length=100, blank=True)
    started_on = models.DateField("就业日期")
    ended_on = models.DateField("离职日期", null=True, blank=True)

    class Meta:
        verbose_name = "就业记录"
        verbose_name_plural = "就业记录"
        ordering = ["-started_on"]
        indexes = [models.Index(fields=["person", "started_on"])]

    def clean(self) -> None:
        check_record(self, ("started_on", "ended_on"))


class ServiceKind(models.TextChoices):
    JOB_SEEKER = "job_seeker", "求职登记"
    POLICY = "policy", "政策咨询"
    GUIDANCE = "guidance", "职业指导"
    REFERRAL = "referral", "职业介绍"
    VOCATIONAL_TRAINING = "vocational_training", "推荐职业培训"
    ENTREPRENEURSHIP_TRAINING = "entrepreneurship_training", "推荐创业培训"
    EMPLOYMENT_CARD = "employment_card", "办理《就业创业证》"
    FLEXIBLE_RECOGNITION = "flexible_recognition", "灵活就业认定"
    SOCIAL_INSURANCE_SUBSIDY = "social_insurance_subsidy", "协助申请社保补贴"
    GUARANTEED_LOAN = "guaranteed_loan", "协助申请创业担保贷款"
    ENTREPRENEURSHIP_GUIDANCE = "entrepreneurship_guidance", "创业指导和跟踪服务"


class ServiceRecord(models.Model):
    scope_path = "person__community"

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="services")
    kind = models.CharField("服务类型", max_length=32, choices=ServiceKind.choices)
    served_on = models.DateField("服务日期")
    staff = models.CharField("经办人", max_length=50, blank=True)
    note = models.CharField("服务内容", max_length=300, blank=True)

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        ordering = ["-served_on"]
        indexes = [
            models.Index(fields=["kind", "served_on"]),
            models.Index(fields=["person", "kind", "served_on"]),
        ]


class VisitWay(models.TextChoices):
    HOME = "home", "上门走访"
    PHONE = "phone", "电话走访"
    OTHER = "other", "其他"


def visit_photo_path(instance: Visit, filename: str) -> str:
    # A random name: no person's name or ID in a path (the uploaded name is dropped).
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    ext = ext if ext in VISIT_PHOTO_FORMATS.values() else "jpg"
    return f"visit-photos/{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}.{ext}"


# Pillow format -> file extension of the photos a phone's camera or gallery gives.
VISIT_PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "MPO": "jpg"}
VISIT_PHOTO_MAX_BYTES = 10 * 1024 * 1024


def check_photo(photo) -> None:
    """A real image of an accepted format and size (one check for the form, the API and tests)."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(photo, "size", 0) or 0
    if size > VISIT_PHOTO_MAX_BYTES:
        raise ValidationError({"photo": f"照片大小为 {size / 1024 / 1024:.1f} MB，超过上限 "
                                        f"{VISIT_PHOTO_MAX_BYTES // 1024 // 1024} MB，请压缩后再上传。"})
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationError({"photo": "无法识别该文件为图片，请上传 JPG、PNG 或 WebP 格式的照片。"}) from exc
    finally:
        photo.seek(0)
    if fmt not in VISIT_PHOTO_FORMATS:
        raise ValidationError({"photo": f"不支持该图片格式（{fmt}），请上传 JPG、PNG 或 WebP 格式的照片。"})


class Visit(models.Model):
    scope_path = "household__community"

    household = models.ForeignKey(Household, verbose_name="家庭", on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField("走访日期")
    visitor = models.CharField("走访人", max_length=50)
    way = models.CharField("走访方式", max_length=10, choices=VisitWay.choices, default=VisitWay.HOME)
    # An empty record is a visit "without record" (3.2.2 scores it 0).
    record = models.TextField("情况与需求、帮扶措施", blank=True)
    photo = models.ImageField("走访照片", upload_to=visit_photo_path, max_length=200, blank=True,
                              help_text="可直接用手机拍照上传（JPG、PNG 或 WebP，不超过 10 MB）。")

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visited_on"]
        indexes = [models.Index(fields=["household", "visited_on"])]

    def clean(self) -> None:
        self.record = (self.record or "").strip()
        # A visit is recorded after it happened: every path (form, API, import) refuses a future date.
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": f"走访日期 {self.visited_on:%Y-%m-%d} 晚于今天，不能登记未来的走访。"})
        if self.photo and not getattr(self.photo, "_committed", True):
            check_photo(self.photo)

    @property
    def has_record(self) -> bool:
        return bool(self.record.strip())


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    PETITION = "petition", "信访"
    COLLECTIVE = "collective", "集体上访"


class Complaint(models.Model):
    scope_path = "community"

    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=20, choices=ComplaintKind.choices)
    received_on = models.DateField("受理日期")
    summary = models.CharField("事由", max_length=300)
    staff_fault = models.BooleanField("因工作人员失误引起", default=False)
    serious = models.BooleanField("性质严重、社会影响较大", default=False)
    handling = models.TextField("处理结果", blank=True)

    class Meta:
        verbose_name = "投诉信访"
        verbose_name_plural = "投诉信访"
        ordering = ["-received_on"]


class FactSnapshot(models.Model):
    """The ledger facts of an evaluation frozen at submission (or at a reviewer's refresh)."""

    scope_path = "evaluation__community"

    class Reason(models.TextChoices):
        SUBMIT = "submit", "提交时快照"
        REFRESH = "refresh", "审核人员刷新"

    evaluation = models.ForeignKey(
        "evaluations.Evaluation", on_delete=models.CASCADE, related_name="fact_snapshots"
    )
    reason = models.CharField("原因", max_length=16, choices=Reason.choices)
    values = models.JSONField("取值")  # fact name -> value
    records = models.JSONField("明细记录")  # fact name -> [record ids]
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "台帐事实快照"
        verbose_name_plural = "台帐事实快照"
        ordering = ["-taken_at", "-id"]


class ImportJob(models.Model):
    """An uploaded xlsx: dry run first, then applied all-or-nothing."""

    scope_path = "community"

    class Status(models.TextChoices):
        CHECKING = "checking", "预检中"
        CHECKED = "checked", "已预检"
        REJECTED = "rejected", "有错误"
        APPLYING = "applying", "导入中"
        APPLIED = "applied", "已导入"

    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("台帐", max_length=32)
    file = models.FileField(upload_to="ledger-imports/%Y/%m/", max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    summary = models.JSONField("结果", default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # The background job now (or last) working on this file: its dry run or its apply.
    background = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "台帐导入"
        verbose_name_plural = "台帐导入"
        ordering = ["-created_at"]


from orgs.audit import AppendOnlyModel  # noqa: E402


class LedgerEvent(AppendOnlyModel):
    """Who created, corrected or imported which ledger record."""

    scope_path = "community"

    community = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=16)  # create | update | delete | import
    model = models.CharField("台帐", max_length=32)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "台帐变更记录"
        verbose_name_plural = "台帐变更记录"
        ordering = ["-at", "-id"]


class DuplicateAttempt(AppendOnlyModel):
    """A refused registration of an ID number that is already on another community's ledger.

    The operator is told only that the person is registered elsewhere and whom to ask; the county and
    city levels see the details on the 重复登记 page (ledgers:duplicates).
    """

    class Channel(models.TextChoices):
        PAGE = "page", "页面登记"
        API = "api", "接口"
        IMPORT = "import", "导入"

    id_number = models.CharField("身份证号", max_length=18, db_index=True)
    attempted_community = models.ForeignKey("orgs.Unit", verbose_name="登记社区", on_delete=models.PROTECT,
                                            related_name="+")
    existing_community = models.ForeignKey("orgs.Unit", verbose_name="已登记社区", on_delete=models.PROTECT,
                                           related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT,
                             related_name="+", null=True, blank=True)
    channel = models.CharField("途径", max_length=10, choices=Channel.choices)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "重复登记"
        verbose_name_plural = "重复登记"
        ordering = ["-at", "-id"]


class LedgerGeneration(models.Model):
    """A counter per community, bumped in the same transaction as any change of its ledgers.

    Anything computed from a community's ledgers and stored (`LiveFacts`) remembers the generation it
    was computed at; a different generation means the ledgers changed since.
    """

    community = models.OneToOneField("orgs.Unit", on_delete=models.CASCADE, primary_key=True, related_name="+")
    generation = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "台帐变更计数"
        verbose_name_plural = "台帐变更计数"


class LiveFacts(models.Model):
    """One community's ledger facts for one year, as a draft sheet reads them (ledgers.live_facts).

    Recomputed on the first read after a ledger change, so opening a sheet or saving a score does not
    run the facts' twenty queries again while the ledgers stay as they are.
    """

    community = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    values = models.JSONField(default=dict)
    # The community's LedgerGeneration read before computing, and the definitions' fingerprint.
    generation = models.PositiveBigIntegerField()
    definitions = models.CharField(max_length=16)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "台帐事实（缓存）"
        verbose_name_plural = "台帐事实（缓存）"
        constraints = [models.UniqueConstraint(fields=["community", "year"], name="live_facts_unique")]


# Every model the facts and statistics are computed from: a save or delete marks its community changed
# (ledgers.live_facts, reports.stats_store). Bulk writes (imports) also save a LedgerEvent.
def fact_source_models() -> tuple[type[models.Model], ...]:
    return (Person, Household, UnemploymentRegistration, HardshipRecognition, ZeroEmploymentHousehold,
            Employment, ServiceRecord, Visit, LedgerEvent)
