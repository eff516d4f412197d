from functools import wraps

from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import views
from .api import api
from .errors import error_body

app_name = "api"


def _json_405(view):
    """ninja answers a wrong method with Django's bare 405; give it the common error format."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            body = JsonResponse(
                error_body("method_not_allowed", f"不支持 {request.method} 方法（允许：{allowed}）。"),
                status=405,
                json_dumps_params={"ensure_ascii": False},
            )
            body["Allow"] = allowed
            return body
        return response

    return wrapper


@csrf_exempt
def unknown(request, rest=""):
    return JsonResponse(
        error_body("not_found", f"接口不存在：{request.path}。接口列表见 /api/docs。"),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


ninja_patterns, _, namespace = api.urls
ninja_patterns = [
    URLPattern(p.pattern, _json_405(p.callback), p.default_args, p.name) if isinstance(p, URLPattern) else p
    for p in ninja_patterns
]

urlpatterns = [
    path("tokens/manage/", views.tokens, name="tokens"),
    path("tokens/manage/<int:token_id>/revoke/", views.revoke, name="token_revoke"),
    path("", (ninja_patterns, "ninja", namespace)),
    re_path(r"^(?P<rest>.*)$", unknown),
]
