#!/usr/bin/env python3
"""End-to-end walk through the API: open a period, score one community's sheet, publish it.

    python scripts/api_e2e.py --base http://127.0.0.1:8000 --token <city admin token> \
        --operator-token <community operator> --county-token <county reviewer> --city-token <city reviewer>

Tokens are created on the 接口令牌 page (/api/tokens/manage/) of each account. `--token` alone is
enough when it belongs to a city administrator and the other three are given too; the script stops with
the API's Chinese error message at the first refusal. Only the standard library is used.

The sheet walks 草稿 → 待县级审核 → 县级审核中 → 县级已通过 → 市级复核中 → 市级已复核 → 已公布.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

# Checklist answers of a well-run community (facts a ledger computes are skipped automatically).
GOOD_FACTS: dict[str, Any] = {
    "platform_established": True, "platform_documented": True, "service_window": True,
    "staff_count": 3, "fulltime_staff_count": 1, "certified_staff_count": 1,
    "service_area_m2": 24, "equipment_complete": True,
    "duties_published": True, "badges_worn": True, "supervision_phone_published": True,
    "appraisal_system": True,
    "households_to_visit": 10, "households_visited_with_record": 10, "visits_without_record": 0,
    "vocational_training_help": True, "entrepreneurship_training_help": True, "employment_card_full": True,
    "flexible_employment_service": True,
    "entrepreneurship_training_referrals": 3, "entrepreneurship_policy_help": True,
    "entrepreneurship_guidance": True,
    "graduates_served": 2, "graduates_placed": 2,
    "zero_employment_households": 2, "zero_employment_cleared_in_month": 2, "zero_employment_pending": 0,
    "hard_to_employ_total": 50, "hard_to_employ_employed": 47,
    "registered_unemployed_total": 40, "registered_unemployed_employed": 39,
    "unemployed_over_six_months": 0, "welfare_post_placements": 5, "serious_incident": False,
}
REASON = "依据核查情况评分"

# call(method, path, token, body) -> (status, parsed JSON)
Caller = Callable[[str, str, str, Any], tuple[int, Any]]


class ApiFailure(Exception):
    pass


def http_caller(base: str, timeout: float = 30) -> Caller:
    base = base.rstrip("/")

    def call(method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(base + "/api" + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, {"error": {"code": "http", "message": raw[:300].decode("utf-8", "replace")}}

    return call


class Walk:
    def __init__(self, call: Caller, tokens: dict[str, str], log: Callable[[str], None] = print):
        self.call = call
        self.tokens = tokens
        self.log = log
        self.revision = 0

    def ok(self, who: str, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        status, data = self.call(method, path, self.tokens[who], body)
        if status != expect:
            error = (data or {}).get("error", {}) if isinstance(data, dict) else {}
            raise ApiFailure(
                f"{method} {path}（{who}）返回 {status}：{error.get('message', data)} "
                f"{json.dumps(error.get('details', []), ensure_ascii=False)[:500]}"
            )
        return data

    def run(self, year: int | None = None) -> dict:
        me = {who: self.ok(who, "GET", "/me") for who in ("admin", "operator", "county", "city")}
        community = me["operator"]["unit"]
        standard = self.ok("admin", "GET", "/standard")
        if year is None:
            years = {p["year"] for p in self.ok("admin", "GET", "/periods", None)["items"]}
            year = max(years | {2025}) + 1
        period = self.ok(
            "admin", "POST", "/periods", {"year": year, "communities": [community["id"]]}, expect=201
        )
        self.log(f"已开启评估期：{period['name']}（id {period['id']}）")
        sheets = self.ok("operator", "GET", f"/evaluations?period={period['id']}")
        if sheets["total"] != 1:
            raise ApiFailure(f"评估期 {period['id']} 中本社区应有 1 张评估表，实际 {sheets['total']} 张")
        ev_id = sheets["items"][0]["id"]
        base = f"/evaluations/{ev_id}"
        # Every write sends the revision this client saw last (a stale one is refused with 409).
        self.revision = sheets["items"][0]["revision"]

        for fact in self.ok("operator", "GET", f"{base}/facts"):
            if fact["checklist"] and fact["name"] in GOOD_FACTS:
                saved = self.ok("operator", "PUT", f"{base}/facts/{fact['name']}",
                                {"value": GOOD_FACTS[fact["name"]], "expected_revision": self.revision})
                self.revision = saved["revision"]
        self.score_stage("operator", base, standard, "self")
        self.step("operator", base, "submit")
        self.step("county", base, "county_start")
        self.score_stage("county", base, standard, "county")
        self.step("county", base, "county_pass")
        self.step("city", base, "city_start")
        self.score_stage("city", base, standard, "city")
        self.step("city", base, "city_complete")
        final = self.step("city", base, "publish")
        if final["state"] != "published":
            raise ApiFailure(f"最终状态应为 published，实际为 {final['state']}")
        self.log(
            f"已公布：{final['community']['name']} 市级复核 {final['city_total']} 分，星级：{final['star'] or '无'}"
        )
        return {"period": period, "evaluation": final}

    def score_stage(self, who: str, base: str, standard: dict, stage: str) -> None:
        result = self.ok(who, "GET", f"{base}/result")
        for line in standard["lines"]:
            if stage not in line["stages"]:
                continue
            suggestion = result["suggestions"].get(line["id"], {})
            score = suggestion.get("score")
            if score is None:
                score = suggestion["range"][1] if suggestion.get("range") else line["max"]
            body = {"score": score, "reason": REASON if stage != "self" else None, "expected_revision": self.revision}
            self.revision = self.ok(who, "PUT", f"{base}/scores/{stage}/{line['id']}", body)["revision"]
        self.log(f"已填写 {stage} 阶段得分")

    def step(self, who: str, base: str, action: str) -> dict:
        ev = self.ok(who, "POST", f"{base}/transitions", {"action": action, "expected_revision": self.revision})
        self.revision = ev["revision"]
        self.log(f"{action} → {ev['state_label']}")
        return ev


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="市级管理员的接口令牌（开启评估期）")
    parser.add_argument("--operator-token", required=True, help="社区填报人员的接口令牌")
    parser.add_argument("--county-token", required=True, help="该社区所属区县审核人员的接口令牌")
    parser.add_argument("--city-token", help="市级复核人员的接口令牌（缺省用 --token）")
    parser.add_argument("--year", type=int, help="评估年度（缺省：已有年度之后的第一年）")
    args = parser.parse_args(argv)
    tokens = {
        "admin": args.token,
        "operator": args.operator_token,
        "county": args.county_token,
        "city": args.city_token or args.token,
    }
    try:
        Walk(http_caller(args.base), tokens).run(args.year)
    except ApiFailure as exc:
        print(f"失败：{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
