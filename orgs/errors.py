"""Error pages in Chinese inside the site's frame (403, 404, 500, CSRF failure).

htmx requests get a small fragment instead of a whole page: static/js/app.js shows its message in the
error box. API paths keep their JSON errors (api/errors.py answers those before these handlers run).
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

TITLES = {
    400: "请求有误",
    403: "无权访问",
    404: "页面不存在",
    500: "系统出错",
}
DEFAULT_MESSAGES = {
    400: "提交的内容无法处理，请返回上一页检查后重试。",
    403: "您的角色无权访问此页面或执行此操作。如需权限，请联系市级管理员。",
    404: "未找到该页面或对象，或它不在您的管辖范围内。请检查链接，或从菜单重新进入。",
    500: "系统处理请求时出错，已记录错误。请稍后重试；如反复出现，请联系系统管理员。",
}
CSRF_MESSAGE = "页面已过期或表单校验失败（可能停留过久或在其他窗口退出了登录）。请刷新页面后重新提交。"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _message(status: int, exception: BaseException | None) -> str:
    """The exception's own text when it is a Chinese message written for users; Django's English
    defaults (e.g. from get_object_or_404) are replaced by the generic text."""
    text = ""
    if exception is not None and exception.args:
        first = exception.args[0]
        text = first if isinstance(first, str) else ""
    return text if _CJK.search(text) else DEFAULT_MESSAGES[status]


def error_response(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        code = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}[status]
        return JsonResponse({"error": {"code": code, "message": message}}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    template = "errors/_fragment.html" if request.headers.get("HX-Request") else "errors/error.html"
    context = {"status": status, "title": TITLES[status], "message": message}
    try:
        html = loader.render_to_string(template, context, request=request)
    except Exception:
        html = loader.render_to_string("errors/500_plain.html", context)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return error_response(request, 400, _message(400, exception))


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return error_response(request, 403, _message(403, exception))


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return error_response(request, 404, _message(404, exception))


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context here: the database or a context processor may be what failed.
    context = {"status": 500, "title": TITLES[500], "message": DEFAULT_MESSAGES[500]}
    if request.path.startswith("/api/"):
        return error_response(request, 500, DEFAULT_MESSAGES[500])
    template = "errors/_fragment.html" if request.headers.get("HX-Request") else "errors/500_plain.html"
    return HttpResponse(loader.render_to_string(template, context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(request, 403, CSRF_MESSAGE)
