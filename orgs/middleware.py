import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

# Seconds by which `last_seen` may lag behind the latest request (the idle logout may come this much late).
LAST_SEEN_PRECISION = 60


def _redirect_with_message(request, response, text: str):
    # This middleware sits before MessageMiddleware: give the request its own message store and save it
    # into the response the way MessageMiddleware would.
    request._messages = default_storage(request)
    messages.info(request, text)
    request._messages.update(response)
    return response


class IdleTimeoutMiddleware:
    """Logs a user out after SESSION_IDLE_SECONDS without a request, and holds a user whose password
    must be changed (new account, administrator's reset) on the password change page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen")
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return _redirect_with_message(
                    request, redirect_to_login(request.get_full_path()), "长时间未操作，已自动退出，请重新登录。"
                )
            # Rewriting the session on every request would make every page view a database write;
            # the idle clock only needs minute precision.
            if last is None or now - last >= LAST_SEEN_PRECISION:
                request.session["last_seen"] = now
            if getattr(user, "must_change_password", False) and not self._allowed_while_forced(request.path):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "请先修改密码。"}, status=403)
                return _redirect_with_message(
                    request, redirect(reverse("password_change")), "为了账号安全，请先修改密码后再继续使用。"
                )
        return self.get_response(request)

    @staticmethod
    def _allowed_while_forced(path: str) -> bool:
        allowed = (reverse("password_change"), reverse("logout"), settings.STATIC_URL, "/healthz")
        return path.startswith(allowed)
