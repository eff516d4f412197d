from functools import cache

from django.conf import settings
from django.urls import reverse

from .scoping import ACTION_ROLES, can

# (label, url name, action needed or None). Kept here so every app's page shares one menu.
NAV = [
    ("首页", "home", None),
    ("评估表", "evaluations:list", None),
    ("台帐", "ledgers:index", None),
    ("统计报表", "reports:index", None),
    ("星级名录", "register:index", None),
    ("抽查核实", "verification:index", "view"),
    ("评审标准", "standards:current", None),
    ("我的任务", "jobs:list", None),
    ("公示与异议", "announcements:index", "handle_objections"),
    ("评估期管理", "evaluations:periods", "manage_periods"),
    ("组织与账号", "orgs:units", "manage_users"),
    ("接口令牌", "api:tokens", "use_api"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # The lock-out page is shown to anonymous users: tell them how long to wait.
        return {"nav_items": [], "user_can": {}, "lockout_minutes": round(settings.AXES_COOLOFF_TIME * 60)}
    # Computed when a template first shows them (full pages; htmx fragments rendered with the request do
    # not), once per render: twelve reverse() calls and thirty role checks otherwise paid by every fragment.

    @cache
    def nav_items() -> list[dict]:
        items = []
        for label, name, action in NAV:
            if action and not can(user, action):
                continue
            items.append({"label": label, "url": reverse(name)})
        # One lit item: the longest menu URL the current path starts with (home only on "/").
        path = request.path
        matches = [it for it in items if (path == it["url"] if it["url"] == "/" else path.startswith(it["url"]))]
        if matches:
            max(matches, key=lambda it: len(it["url"]))["active"] = True
        return items

    @cache
    def user_can() -> dict[str, bool]:
        # Which links a template may show: the same table the views enforce (orgs.scoping.ACTION_ROLES).
        return {action: can(user, action) for action in ACTION_ROLES}

    return {
        "nav_items": nav_items,
        "can_view_duplicates": lambda: can(user, "view_duplicates"),
        "user_can": user_can,
    }
