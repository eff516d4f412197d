"""The period settings log as people read it: Chinese labels, no raw JSON."""

from __future__ import annotations

from typing import Any

from standards.numbers import format_points

LABELS = {
    "year": "年度",
    "name": "名称",
    "standard": "评审标准版本",
    "star_bands": "星级档位",
    "score_step": "计分步长",
    "self_deadline": "社区自评截止日期",
    "county_deadline": "县级审核截止日期",
    "city_deadline": "市级复核截止日期",
    "communities": "参加社区",
    "evidence_lines": "须附证明材料的评审项",
    "evidence_check": "缺少证明材料时",
    "is_current": "当前评估期",
    "is_open": "开放",
    "unfinished": "未公布的评估表",
    "sheets": "评估表",
    # register app: appeals and the expert panel
    "appeal_days": "复核申请期限（天）",
    "panel_method": "专家组计分方法",
    "panel_exclude_own_district": "专家回避本区",
}
SETTING_CHOICES = {
    "panel_method": {"mean": "平均分", "trimmed": "去掉最高分和最低分后的平均分"},
    "panel_exclude_own_district": {True: "是", False: "否"},
}
EVIDENCE_CHECK = {"off": "不检查", "warn": "提示但允许提交", "block": "不允许提交"}


def show_setting(key: str, value: Any) -> str:
    if (value is None and key != "evidence_lines") or value == "" or value == []:
        return "（未设置）"
    if key == "star_bands":
        return "，".join(f"{b.get('name', '')} ≥ {format_points(b.get('min'))} 分" for b in value)
    if key == "score_step":
        return f"{format_points(value)} 分"
    if key in SETTING_CHOICES:
        return SETTING_CHOICES[key].get(value, str(value))
    if key == "evidence_lines" and value is None:
        return "默认（自评得分大于 0 的评审项，台帐计算的除外）"
    if key == "evidence_lines" and isinstance(value, list):
        return "第 " + "、".join(str(x) for x in value) + " 项"
    if key == "evidence_check":
        return EVIDENCE_CHECK.get(str(value), str(value))
    if value is True:
        return "是"
    if value is False:
        return "否"
    if key in ("unfinished", "sheets"):
        return f"{value} 份"
    if key == "communities" and isinstance(value, list):
        return f"{len(value)} 个（代码 {'、'.join(value)}）"
    return str(value)


def describe(changes: dict[str, Any]) -> list[str]:
    """One sentence per setting of a PeriodChange.changes (open: the values; update: old → new)."""
    out: list[str] = []
    for key, value in (changes or {}).items():
        label = LABELS.get(key, "其他设置")
        if key == "communities" and isinstance(value, dict):
            parts = []
            if value.get("added"):
                parts.append(f"加入 {show_setting(key, value['added'])}")
            if value.get("removed"):
                parts.append(f"移出 {show_setting(key, value['removed'])}")
            out.append(f"{label}：{'；'.join(parts)}")
        elif isinstance(value, dict) and set(value) == {"old", "new"}:
            out.append(f"{label}：{show_setting(key, value['old'])} → {show_setting(key, value['new'])}")
        else:
            out.append(f"{label}：{show_setting(key, value)}")
    return out
