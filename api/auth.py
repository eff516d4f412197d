"""API authentication: a per-user bearer token, or the browser session (with CSRF on writes)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .tokens import authenticate_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer sct_...` — tokens are created on the 接口令牌 page."""

    def authenticate(self, request: HttpRequest, token: str):
        user = authenticate_token(token.strip())
        if user is None:
            return None
        # Services and scope helpers read request.user; the token's owner is the actor.
        request.user = user
        request.api_token_used = True  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session. Unsafe methods need the CSRF token (X-CSRFToken header)."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request):
            raise HttpError(403, "CSRF check Failed")
        return user


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]
