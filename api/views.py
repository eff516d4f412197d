"""The 接口令牌 page: the user creates, lists and revokes their own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from orgs.scoping import require

from .models import ApiToken
from .tokens import MAX_ACTIVE_TOKENS, TokenError, create_token, revoke_token


@never_cache
@login_required
def tokens(request):
    require(request.user, "use_api")
    created = None
    error = ""
    if request.method == "POST":
        try:
            token, raw = create_token(request.user, request.POST.get("name", ""))
        except TokenError as exc:
            error = exc.message
        else:
            # Rendered, not redirected: the secret exists only in this response.
            created = {"token": token, "raw": raw}
    context = {
        "tokens": ApiToken.objects.filter(user=request.user),
        "created": created,
        "error": error,
        "max_tokens": MAX_ACTIVE_TOKENS,
    }
    return render(request, "api/tokens.html", context, status=422 if error else 200)


@require_POST
@login_required
def revoke(request, token_id: int):
    get_object_or_404(ApiToken, pk=token_id, user=request.user)  # someone else's token: 404, as in the API
    try:
        token = revoke_token(request.user, token_id)
    except TokenError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已吊销令牌“{token.name}”，使用它的脚本将无法再访问接口。")
    return redirect("api:tokens")
