"""One error format for every 4xx: {"error": {"code", "message" (Chinese), "details": [...]}}.

Domain errors raised by the services are mapped here, once, so every endpoint answers alike.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("api")


class ApiError(Exception):
    """Raised by endpoints for a specific, documented failure."""

    def __init__(self, status: int, code: str, message: str, details: list | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        super().__init__(message)


def error_body(code: str, message: str, details: list | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def _respond(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, details=None):
    return api.create_response(request, error_body(code, message, details), status=status)


# Pydantic error types -> Chinese wording. Unknown types fall back to a generic phrase.
_PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_places": "小数位数过多",
    "decimal_max_digits": "数字位数过多",
    "decimal_whole_digits": "数字位数过多",
    "finite_number": "应为有限数字",
    "string_type": "应为文本",
    "string_too_long": "文本过长",
    "string_too_short": "文本过短",
    "string_pattern_mismatch": "格式不正确",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "too_long": "列表项过多",
    "too_short": "列表项过少",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "json_invalid": "不是合法的 JSON",
    "value_error": "取值不正确",
}

_LOCATION = {"body": "请求体", "query": "查询参数", "path": "路径参数", "form": "表单", "file": "文件", "header": "请求头"}


def _validation_details(errors: list[dict]) -> list[dict]:
    details = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        where = _LOCATION.get(loc[0], loc[0]) if loc else ""
        # ninja nests the body under the parameter name ("payload"); people want the field.
        field_path = [p for p in loc[1:] if p not in ("payload",)]
        field = ".".join(field_path)
        kind = err.get("type", "")
        text = _PYDANTIC_MESSAGES.get(kind, "取值不正确")
        ctx = err.get("ctx") or {}
        if kind in ("enum", "literal_error") and ctx.get("expected"):
            text += f"（可选：{ctx['expected']}）"
        if kind in ("string_too_long", "too_long") and "max_length" in ctx:
            text += f"（最多 {ctx['max_length']}）"
        if kind in ("greater_than_equal", "greater_than") and ("ge" in ctx or "gt" in ctx):
            text += f"（不小于 {ctx.get('ge', ctx.get('gt'))}）"
        if kind in ("less_than_equal", "less_than") and ("le" in ctx or "lt" in ctx):
            text += f"（不大于 {ctx.get('le', ctx.get('lt'))}）"
        details.append(
            {"location": loc[0] if loc else "", "field": field, "type": kind, "message": f"{where}字段“{field}”{text}"}
        )
    return details


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API (replacing ninja's defaults)."""

    def validation(request, exc: NinjaValidationError):
        details = _validation_details(exc.errors)
        summary = "；".join(d["message"] for d in details[:5]) or "请求参数不正确。"
        return _respond(api, request, 422, "validation_error", f"请求参数不正确：{summary}", details)

    def api_error(request, exc: ApiError):
        return _respond(api, request, exc.status, exc.code, exc.message, exc.details)

    def http_error(request, exc: HttpError):
        status = exc.status_code
        if isinstance(exc, AuthenticationError) or status == 401:
            return _respond(
                api, request, 401, "not_authenticated",
                "未登录或令牌无效：请在请求头中提供 Authorization: Bearer <令牌>，或先登录。",
            )
        if status == 403 and "CSRF" in str(exc):
            return _respond(
                api, request, 403, "csrf_failed",
                "CSRF 校验失败：使用登录会话调用写操作时，请在请求头 X-CSRFToken 中提供 csrftoken。",
            )
        if isinstance(exc, AuthorizationError) or status == 403:
            return _respond(api, request, 403, "permission_denied", "您的角色无权执行此操作。")
        if isinstance(exc, Throttled):
            return _respond(api, request, 429, "throttled", "请求过于频繁，请稍后再试。")
        if status == 400 and str(exc).startswith("Cannot parse request body"):
            return _respond(api, request, 400, "malformed_json", "请求体不是合法的 JSON。")
        if status == 405:
            return _respond(api, request, 405, "method_not_allowed", "不支持该请求方法。")
        return _respond(api, request, status, "http_error", str(exc) or "请求无法处理。")

    def not_found(request, exc: Http404):
        message = str(exc) if str(exc) and any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)) else ""
        return _respond(api, request, 404, "not_found", message or "未找到该对象，或不在您的管辖范围内。")

    def denied(request, exc: PermissionDenied):
        message = str(exc) or "您的角色无权执行此操作。"
        return _respond(api, request, 403, "permission_denied", message)

    def django_validation(request, exc: DjangoValidationError):
        details: list[dict] = []
        if hasattr(exc, "error_dict"):
            for field, errs in exc.message_dict.items():
                for msg in errs:
                    details.append({"location": "body", "field": field, "type": "invalid", "message": msg})
        else:
            details = [{"location": "body", "field": "", "type": "invalid", "message": m} for m in exc.messages]
        message = "；".join(d["message"] for d in details) or "数据不正确。"
        return _respond(api, request, 400, "invalid", message, details)

    def too_big(request, exc: RequestDataTooBig):
        return _respond(api, request, 413, "payload_too_large", "请求体过大，已拒绝。")

    def suspicious(request, exc: SuspiciousOperation):
        return _respond(api, request, 400, "bad_request", "请求无法处理。")

    def malformed(request, exc: Exception):
        # A multipart body without a boundary, cut short or otherwise unparsable: the client's fault.
        return _respond(
            api, request, 400, "malformed_request",
            "请求体格式不正确：multipart/form-data 请求须带 boundary 且内容完整。",
        )

    def unexpected(request, exc: Exception):
        # Logged with the traceback; the client gets the common format, never a stack trace.
        logger.exception("API error on %s %s", request.method, request.path)
        return _respond(api, request, 500, "server_error", "服务器内部错误，已记录，请联系系统管理员。")

    api.add_exception_handler(Exception, unexpected)
    api.add_exception_handler(NinjaValidationError, validation)
    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, denied)
    api.add_exception_handler(DjangoValidationError, django_validation)
    api.add_exception_handler(RequestDataTooBig, too_big)
    api.add_exception_handler(SuspiciousOperation, suspicious)
    api.add_exception_handler(MultiPartParserError, malformed)
    api.add_exception_handler(UnreadablePostError, malformed)
    _install_domain_errors(api)


def _domain_message(exc: Exception) -> str:
    for attr in ("message", "detail"):
        value = getattr(exc, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(exc) or "操作无法完成。"


def _install_domain_errors(api: NinjaAPI) -> None:
    """Errors of the other apps' services. Subclasses first is not needed: ninja walks the MRO."""
    import importlib

    table = [
        # (module, class name, status, code)
        ("evaluations.services.workflow", "WorkflowError", 409, "workflow_error"),
        ("evaluations.services.workflow", "NotAllowed", 403, "permission_denied"),
        ("evaluations.services.workflow", "StaleError", 409, "stale_revision"),
        ("evaluations.services.scores", "ScoreInvalid", 422, "invalid_value"),
        ("evaluations.services.periods", "PeriodError", 422, "invalid_period"),
        ("evaluations.services.evidence", "EvidenceError", 422, "invalid_evidence"),
        ("standards.engine", "InputError", 422, "invalid_input"),
        ("ledgers.services", "LedgerError", 422, "invalid_ledger"),
    ]
    for module_name, cls_name, status, code in table:
        module = importlib.import_module(module_name)
        cls = getattr(module, cls_name)

        def handler(request, exc, _status=status, _code=code):
            problems = getattr(exc, "problems", None) or getattr(exc, "details", None) or []
            if not problems and getattr(exc, "field", None):
                problems = [{"location": "body", "field": exc.field, "type": "invalid", "message": _domain_message(exc)}]
            details = [{"message": p} if isinstance(p, str) else p for p in problems] if isinstance(problems, list) else []
            return _respond(api, request, _status, _code, _domain_message(exc), _jsonable(details))

        api.add_exception_handler(cls, handler)


def _jsonable(details: list) -> list:
    out = []
    for item in details:
        if isinstance(item, dict | str | int | float):
            out.append(item)
        elif hasattr(item, "__dataclass_fields__"):
            out.append({k: str(getattr(item, k)) for k in item.__dataclass_fields__})
        else:
            out.append(str(item))
    return out
