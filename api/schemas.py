"""Shared request/response schemas. Inputs forbid unknown fields so a typo answers 422, not silence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field

PosId = Annotated[int, Field(ge=1, le=2**62)]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid", str_max_length=20_000)


class StarBandIn(StrictIn):
    name: str = Field(max_length=20)
    min: Decimal = Field(ge=0, le=1000, max_digits=6, decimal_places=2)


class ErrorDetail(Schema):
    location: str | None = None
    field: str | None = None
    type: str | None = None
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    details: list[Any]


class Error(Schema):
    error: ErrorBody


class UnitOut(Schema):
    id: int
    name: str
    code: str
    level: str
    level_label: str
    parent_id: int | None
    county_id: int | None
    street_id: int | None
    full_name: str
    is_active: bool


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    unit: UnitOut | None
    actions: list[str]


class PeriodOut(Schema):
    id: int
    year: int
    name: str
    standard_version: str
    star_bands: list[Any]
    score_step: float
    self_deadline: date | None
    county_deadline: date | None
    city_deadline: date | None
    is_open: bool
    settings_locked: bool


class LineScoreOut(Schema):
    line_id: str
    stage: str
    score: float | None
    reason: str
    adopted_from: str = Field("", description="采用下级得分时为下级阶段（self / county），手工填写为空")
    updated_by: str
    updated_at: datetime


class EvaluationOut(Schema):
    id: int
    period_id: int
    year: int
    community: UnitOut
    state: str
    state_label: str
    revision: int
    editable_stage: str | None
    visible_stages: list[str]
    self_total: float | None
    county_total: float | None
    city_total: float | None
    result_status: str
    star: str
    returned_lines: list[Any]
    return_comment: str
    submitted_at: datetime | None
    published_at: datetime | None
    updated_at: datetime


class ReturnedLineOut(Schema):
    line_id: str
    returned_by: str
    comment: str
    reply: str
    replied_by: str
    replied_at: datetime | None


class EvaluationDetailOut(EvaluationOut):
    innovation_text: str
    returns: list[ReturnedLineOut]
    scores: list[LineScoreOut]


class TransitionOut(Schema):
    id: int
    action: str
    from_state: str
    to_state: str
    comment: str
    lines: list[Any]
    user: str
    at: datetime


class AuditEventOut(Schema):
    id: int
    kind: str
    line_id: str
    stage: str
    field: str
    old: Any = None
    new: Any = None
    note: str
    user: str
    at: datetime


class FactOut(Schema):
    name: str
    label: str
    type: str
    value: Any = None
    source: str | None
    source_label: str
    checklist: bool
    answered_by: str
    answered_at: datetime | None
    drill_url: str | None
    definition: str = Field("", description="台帐事实的统计口径")
    lines: list[str] = Field(default_factory=list, description="该事实用于哪些评审项")


class EvidenceRevisionOut(Schema):
    number: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    download_url: str


class EvidenceOut(Schema):
    id: int
    evaluation_id: int
    line_id: str
    title: str
    created_by: str
    created_at: datetime
    current: EvidenceRevisionOut | None
    revisions: list[EvidenceRevisionOut]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str = Field("", description="吊销原因（本人吊销、管理员重置密码、本人修改密码、账号停用）")
    is_active: bool


class TokenCreatedOut(TokenOut):
    token: str


class TokenIn(StrictIn):
    name: str


class ScoreIn(StrictIn):
    score: Decimal | None = Field(None, max_digits=8, decimal_places=3, description="得分；null 表示清空")
    reason: str | None = Field(None, max_length=1000, description="扣分原因（县级、市级阶段）")
    expected_revision: int | None = Field(
        None, ge=0, le=2**31,
        description="必填（或用 If-Match 请求头）：读取评估表时的 revision；若此后同一项已被他人修改，返回 409；缺少时返回 428",
    )


class FactIn(StrictIn):
    value: bool | int | float | str | None = Field(description="事实取值：是/否类为 true/false，数量类为数字；null 清空")
    expected_revision: int | None = Field(None, ge=0, le=2**31, description="必填（或用 If-Match 请求头），见得分")


class InnovationIn(StrictIn):
    text: str = Field(max_length=20000, description="第 5 项创新工作文字材料")
    expected_revision: int | None = Field(None, ge=0, le=2**31, description="必填（或用 If-Match 请求头），见得分")


class TransitionIn(StrictIn):
    action: str = Field(
        max_length=32,
        description="submit / county_start / county_return / county_pass / city_start / city_return / "
        "city_complete / publish / reopen",
    )
    comment: str = Field("", max_length=2000, description="意见（退回、重新开放时必填）")
    lines: list[str] = Field(default_factory=list, max_length=50, description="退回涉及的评审项 id")
    line_comments: dict[str, str] = Field(
        default_factory=dict, max_length=50,
        description="退回时每个评审项的意见：{\"3.2.1\": \"…\"}；未单独填写的评审项使用 comment",
    )
    expected_revision: int | None = Field(
        None, ge=0, le=2**31,
        description="必填（或用 If-Match 请求头）：读取评估表时的 revision；此后评估表有任何修改即返回 409",
    )


class ActionOut(Schema):
    name: str
    label: str
    needs_comment: bool
    needs_lines: bool


class SaveOut(Schema):
    changed: bool
    revision: int
    state: str
    warnings: list[str]
    totals: dict[str, float | None]
    star: str


class PeriodIn(StrictIn):
    year: int = Field(ge=1990, le=2100, description="评估年度")
    name: str = Field("", max_length=100)
    standard_version: str | None = Field(None, max_length=32, description="评审标准版本；缺省为当前版本")
    communities: list[PosId] | None = Field(
        None, max_length=100_000, description="参加评估的社区 id；缺省为全部启用的社区"
    )
    star_bands: list[StarBandIn] | None = Field(None, max_length=20)
    score_step: Decimal | None = Field(None, max_digits=4, decimal_places=2, gt=0)
    self_deadline: date | None = None
    county_deadline: date | None = None
    city_deadline: date | None = None


class PeriodPatch(StrictIn):
    name: str | None = Field(None, max_length=100)
    star_bands: list[StarBandIn] | None = Field(None, max_length=20)
    score_step: Decimal | None = Field(None, max_digits=4, decimal_places=2, gt=0)
    self_deadline: date | None = None
    county_deadline: date | None = None
    city_deadline: date | None = None
    communities: list[PosId] | None = Field(None, max_length=100_000)
