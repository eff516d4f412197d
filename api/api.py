"""The NinjaAPI instance: /api/ with docs at /api/docs and the schema at /api/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer

from . import errors
from .auth import AUTH
from .endpoints import core, evaluations, ledgers, reports, tokens

API_DESCRIPTION = """
星级社区评审系统接口。认证：`Authorization: Bearer <令牌>`（在“接口令牌”页面创建），或浏览器登录会话
（写操作需在 `X-CSRFToken` 请求头中提供 csrftoken）。权限与页面相同：管辖范围外的对象返回 404，
角色无权的操作返回 403。所有 4xx 错误的格式：`{"error": {"code": "...", "message": "中文说明", "details": [...]}}`。
列表使用 `limit` / `offset` 分页，返回 `total`。
"""



class Renderer(JSONRenderer):
    # Chinese messages readable in logs and curl output.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Renderer(),
    title="星级社区评审系统 API",
    version="1.0",
    description=API_DESCRIPTION,
    auth=AUTH,
    urls_namespace="api:v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Local swagger assets (ninja is in INSTALLED_APPS); no validator badge calling validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
errors.install(api)
api.add_router("", core.router)
api.add_router("", evaluations.router)
api.add_router("", ledgers.router)
api.add_router("", reports.router)
api.add_router("", tokens.router)
