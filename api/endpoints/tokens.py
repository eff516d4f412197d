"""The caller's own API tokens. Creating one needs the browser session: a token cannot mint tokens."""

from __future__ import annotations

from ninja import Path, Router, Status

from .. import serialize
from ..auth import session_auth
from ..errors import ApiError
from ..models import ApiToken
from ..schemas import TokenCreatedOut, TokenIn, TokenOut
from ..tokens import TokenError, create_token, revoke_token
from .common import ERRORS, MAX_ID

router = Router(tags=["接口令牌"])


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="我的接口令牌")
def list_tokens(request):
    return [serialize.token(t) for t in ApiToken.objects.filter(user=request.auth)]


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **ERRORS},
    auth=[session_auth],
    summary="创建接口令牌（仅登录会话；令牌只显示这一次）",
)
def create(request, payload: TokenIn):
    try:
        token, raw = create_token(request.auth, payload.name)
    except TokenError as exc:
        raise ApiError(422, "invalid_token_request", exc.message)
    return Status(201, {**serialize.token(token), "token": raw})


@router.delete("/tokens/{token_id}", response={200: TokenOut, **ERRORS}, summary="吊销接口令牌")
def revoke(request, token_id: int = Path(..., ge=1, le=MAX_ID)):
    try:
        token = revoke_token(request.auth, token_id)
    except TokenError as exc:
        status, code = (404, "not_found") if "未找到" in exc.message else (409, "already_revoked")
        raise ApiError(status, code, exc.message)
    return serialize.token(token)
