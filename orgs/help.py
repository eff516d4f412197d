"""The help page's screenshots: which demo user on which page, per role.

`scripts/help_screenshots.py` takes them from a running demo (`make run`) at 1366×768 and writes
`static/help/<file>`; the help page shows them under each role's walk-through.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shot:
    username: str  # a demo login (orgs/demo.py)
    path: str  # the page, or "sheet" for the first sheet linked from the home page
    file: str  # under static/help/
    caption: str


HELP_SHOTS: dict[str, list[Shot]] = {
    "community_operator": [
        Shot("sq_hubin", "/", "community-home.png", "首页：待办事项和“打开评估表”"),
        Shot("sq_hubin", "sheet", "community-sheet.png", "评估表：自评分、建议分和证明材料"),
    ],
    "county_reviewer": [
        Shot("qx_donghu", "/", "county-home.png", "首页：等待我办理的评估表（标明年度）"),
        Shot("qx_donghu", "/evaluations/", "county-list.png", "评估表列表：按状态筛选、批量办理"),
    ],
    "street_viewer": [
        Shot("jd_hubin", "/", "street-home.png", "首页：本街道各社区的进度"),
    ],
    "city_reviewer": [
        Shot("sf_city", "/", "city-home.png", "首页：等待市级复核的评估表"),
    ],
    "city_admin": [
        Shot("sf_admin", "/notices/", "admin-notices.png", "公示与异议：各评估期的公示和异议办理"),
        Shot("sf_admin", "/evaluations/periods/", "admin-periods.png", "评估期管理：当前评估期、关闭、删除"),
    ],
}
