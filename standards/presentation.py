"""The 附件1 table layout of a standard: shared by the standard page, the sheet and the exports.

Pure Python over the raw data dict, so exporters and templates lay the form out the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass
class Row:
    line_id: str
    section_id: str
    section_title: str  # "一、社区人力资源和社会保障平台建设（12分）"
    section_rowspan: int  # > 0 on the first row of a section, 0 on the others
    content: str  # the group's title is prefixed on the group's first row, as in the seed
    max_label: str  # "3分", or the group's max on its first row
    max_rowspan: int  # > 0 on the first row of a group (or a lone line), 0 on the others
    method: str
    line_max: Decimal
    stages: tuple[str, ...]


def _points(value) -> str:
    d = Decimal(str(value))
    return f"{d.normalize():f}分"


def section_heading(section: dict) -> str:
    return f"{section['id']}、{section['title']}（{_points(section['max'])}）"


def table_rows(data: dict) -> list[Row]:
    sections = {s["id"]: s for s in data["sections"]}
    groups = {g["id"]: g for g in data.get("groups", [])}
    lines = data["lines"]
    rows: list[Row] = []
    section_counts: dict[str, int] = {}
    group_counts: dict[str, int] = {}
    for line in lines:
        section_counts[line["section"]] = section_counts.get(line["section"], 0) + 1
        if line.get("group"):
            group_counts[line["group"]] = group_counts.get(line["group"], 0) + 1
    seen_sections: set[str] = set()
    seen_groups: set[str] = set()
    for line in lines:
        sec = sections[line["section"]]
        first_in_section = sec["id"] not in seen_sections
        seen_sections.add(sec["id"])
        group_id = line.get("group")
        content = line["content"]
        if group_id:
            first_in_group = group_id not in seen_groups
            seen_groups.add(group_id)
            if first_in_group:
                content = f"{groups[group_id]['title']}\n\n{content}"
                max_label, max_rowspan = _points(groups[group_id]["max"]), group_counts[group_id]
            else:
                max_label, max_rowspan = "", 0
        else:
            max_label, max_rowspan = _points(line["max"]), 1
        rows.append(
            Row(
                line_id=line["id"],
                section_id=sec["id"],
                section_title=section_heading(sec),
                section_rowspan=section_counts[sec["id"]] if first_in_section else 0,
                content=content,
                max_label=max_label,
                max_rowspan=max_rowspan,
                method=line.get("method") or "",
                line_max=Decimal(str(line["max"])),
                stages=tuple(line.get("stages", ("self", "county", "city"))),
            )
        )
    return rows
