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
    items = []
    for label, name, action in NAV:
        if action and not can(user, action):
            continue
        url = reverse(name)
        items.append({"label": label, "url": url})
    # One lit item: the longest menu URL the current path starts with (home only on "/").
    path = request.path
    matches = [it for it in items if (path == it["url"] if it["url"] == "/" else path.startswith(it["url"]))]
    if matches:
        max(matches, key=lambda it: len(it["url"]))["active"] = True
    # Which links a template may show: the same table the views enforce (orgs.scoping.ACTION_ROLES).
    return {
        "nav_items": items,
        "can_view_duplicates": can(user, "view_duplicates"),
        "user_can": {action: can(user, action) for action in ACTION_ROLES},
    }
