"""``manage.py score``: JSON in, JSON out; malformed input exits 2 with one line on stderr."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from standards import schema

ROOT = Path(__file__).resolve().parents[2]
STD = schema.load_standard_file(ROOT / "standards" / "data" / "v1.json")

FACTS: dict[str, Any] = {
    "platform_established": True,
    "platform_documented": True,
    "service_window": True,
    "staff_count": 3,
    "fulltime_staff_count": 1,
    "certified_staff_count": 1,
    "service_area_m2": 12.5,
    "equipment_complete": True,
    "duties_published": True,
    "badges_worn": True,
    "supervision_phone_published": True,
    "appraisal_system": True,
    "households_to_visit": 10,
    "households_visited_with_record": 10,
    "visits_without_record": 0,
    "vocational_training_help": True,
    "entrepreneurship_training_help": True,
    "employment_card_full": True,
    "flexible_employment_service": True,
    "entrepreneurship_training_referrals": 2,
    "entrepreneurship_policy_help": True,
    "entrepreneurship_guidance": True,
    "graduates_served": 2,
    "graduates_placed": 1,
    "zero_employment_households": 3,
    "zero_employment_cleared_in_month": 2,
    "zero_employment_pending": 1,
    "hard_to_employ_total": 50,
    "hard_to_employ_employed": 47,
    "registered_unemployed_total": 0,
    "registered_unemployed_employed": 0,
    "unemployed_over_six_months": 0,
    "welfare_post_placements": 5,
    "serious_incident": False,
}


def full(stage: str) -> dict[str, Any]:
    scores: dict[str, Any] = {line.id: int(line.max) for line in STD.stage_lines(stage)}
    scores["3.5.2"] = 3  # the suggestion for 47/50
    return scores


@pytest.fixture
def loaded(db: Any) -> None:
    call_command("loadstandard", stdout=io.StringIO())


def run(payload: Any, tmp_path: Path, raw: str | None = None) -> dict[str, Any]:
    path = tmp_path / "input.json"
    path.write_text(raw if raw is not None else json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("score", str(path), stdout=out)
    return json.loads(out.getvalue())


def fails(payload: Any, tmp_path: Path, raw: str | None = None) -> str:
    with pytest.raises(CommandError) as info:
        run(payload, tmp_path, raw)
    assert info.value.returncode == 2
    message = str(info.value)
    assert "\n" not in message and message.strip()
    return message


# --------------------------------------------------------------------------------------------
# Well-formed input


@pytest.mark.django_db
def test_scores_all_three_stages(loaded: None, tmp_path: Path) -> None:
    payload = {
        "standard": "v1",
        "facts": FACTS,
        "scores": {"self": full("self"), "county": full("county"), "city": full("city")},
        "reasons": {"county": {"3.5.2": "就业率 94%"}, "city": {"3.5.2": "就业率 94%"}},
    }
    data = run(payload, tmp_path)
    assert data["status"] == "evaluated"
    assert data["totals"] == {"self": 94, "county": 94, "city": 99}
    assert data["star"] == "五星"
    assert data["errors"] == []
    assert data["suggestions"]["3.5.2"] == {
        "score": 3,
        "explanation": "就业困难人员就业率 47/50 = 94.0% → 91%–94% 档 → 3 分",
        "flags": [],
    }
    assert data["suggestions"]["3.5.3"]["flags"] == ["no_population"]
    assert data["suggestions"]["3.6"]["score"] == 6
    assert data["suggestions"]["4"]["score"] is None
    assert set(data["suggestions"]) == {line.id for line in STD.lines}


@pytest.mark.django_db
def test_only_facts(loaded: None, tmp_path: Path) -> None:
    data = run({"facts": {"hard_to_employ_total": 50, "hard_to_employ_employed": 40}}, tmp_path)
    assert data["totals"] == {}
    assert data["star"] is None
    assert data["errors"] == []
    assert data["suggestions"]["3.5.2"]["score"] == 2
    assert data["suggestions"]["1.1"]["flags"] == ["missing_facts"]


@pytest.mark.django_db
def test_errors_are_reported_not_fatal(loaded: None, tmp_path: Path) -> None:
    city = {**full("city"), "2.2": 1, "3.1.1": 10, "9.9": 1}
    del city["5"]
    data = run({"facts": FACTS, "scores": {"city": city, "self": {"5": 5}}}, tmp_path)
    found = {(e["stage"], e["line"], e["code"]) for e in data["errors"]}
    assert ("city", "2.2", "not_allowed") in found
    assert ("city", "3.1.1", "reason_required") in found
    assert ("city", "9.9", "unknown_line") in found
    assert ("city", "5", "missing_score") in found
    assert ("city", "3.5.2", "reason_required") in found
    assert ("self", "5", "not_scored_at_stage") in found
    assert all(e["message"].startswith(f"第 {e['line']} 行") for e in data["errors"])
    assert data["star"] is None
    assert data["totals"]["city"] == 100 - 2 - 5 - 1 - 2


@pytest.mark.django_db
def test_star_bands_override_and_status(loaded: None, tmp_path: Path) -> None:
    payload = {
        "facts": FACTS,
        "scores": {"city": full("city")},
        "reasons": {"city": {"3.5.2": "就业率 94%"}},
        "star_bands": [{"name": "特优", "min": 99.5}, {"name": "优秀", "min": 90}],
    }
    assert run(payload, tmp_path)["star"] == "优秀"
    payload["facts"] = {**FACTS, "serious_incident": True}
    data = run(payload, tmp_path)
    assert data["status"] == "disqualified" and data["star"] is None
    payload["facts"] = {**FACTS, "service_window": False}
    assert run(payload, tmp_path)["status"] == "not_evaluated"


@pytest.mark.django_db
def test_decimal_scores_keep_their_value(loaded: None, tmp_path: Path) -> None:
    raw = json.dumps({"facts": {}, "scores": {"self": {"1.2": 2.5, "1.3": 0.1}}})
    data = run(None, tmp_path, raw=raw)
    assert {(e["line"], e["code"]) for e in data["errors"]} >= {("1.3", "bad_step")}
    assert data["totals"]["self"] == 2.5


@pytest.mark.django_db
def test_reads_stdin(loaded: None) -> None:
    out = io.StringIO()
    call_command("score", "-", stdin=io.StringIO(json.dumps({"facts": FACTS})), stdout=out)
    assert json.loads(out.getvalue())["status"] == "evaluated"


# --------------------------------------------------------------------------------------------
# Malformed input: CommandError with returncode 2 and a one-line message naming the problem


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ([], "JSON 对象"),
        ({}, "facts"),
        ({"facts": [], "scores": {}}, "facts"),
        ({"facts": {}, "score": {}}, "score"),
        ({"facts": {"platform_exists": True}}, "platform_exists"),
        ({"facts": {"staff_count": "3"}}, "staff_count"),
        ({"facts": {"staff_count": 2.5}}, "staff_count"),
        ({"facts": {"appraisal_system": 1}}, "appraisal_system"),
        ({"facts": {}, "standard": "v9"}, "v9"),
        ({"facts": {}, "standard": 1}, "standard"),
        ({"facts": {}, "scores": {"province": {}}}, "province"),
        ({"facts": {}, "scores": {"self": []}}, "scores.self"),
        ({"facts": {}, "scores": {"self": {"1.1": "3"}}}, "scores.self.1.1"),
        ({"facts": {}, "scores": {"self": {"1.1": True}}}, "scores.self.1.1"),
        ({"facts": {}, "reasons": {"self": {"1.1": "x"}}}, "reasons.self"),
        ({"facts": {}, "reasons": {"city": {"1.1": 3}}}, "reasons.city.1.1"),
        ({"facts": {}, "star_bands": {"五星": 95}}, "star_bands"),
        ({"facts": {}, "star_bands": [{"name": "A", "min": 80}, {"name": "B", "min": 90}]}, "从高到低"),
    ],
)
def test_malformed_input(loaded: None, tmp_path: Path, payload: Any, fragment: str) -> None:
    assert fragment in fails(payload, tmp_path)


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["{not json", "", '{"facts": {"service_area_m2": NaN}}'])
def test_not_json(loaded: None, tmp_path: Path, raw: str) -> None:
    assert "JSON" in fails(None, tmp_path, raw=raw)


@pytest.mark.django_db
def test_missing_file(loaded: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as info:
        call_command("score", str(tmp_path / "nope.json"), stdout=io.StringIO())
    assert info.value.returncode == 2
    assert "nope.json" in str(info.value)


@pytest.mark.django_db
def test_no_standard_loaded(tmp_path: Path) -> None:
    message = fails({"facts": {}}, tmp_path)
    assert "loadstandard" in message


# --------------------------------------------------------------------------------------------
# The real process: exit code 2 and exactly one line on stderr (each start costs seconds: few cases)


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db = tmp_path_factory.mktemp("cli") / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{db}",
        "PYTHONIOENCODING": "utf-8",
    }
    for command in (["migrate", "--noinput"], ["loadstandard"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return env


def cli(env: dict[str, str], stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "score", "-"],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_cli_success(cli_env: dict[str, str]) -> None:
    done = cli(cli_env, json.dumps({"facts": FACTS, "scores": {"city": full("city")}}))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["totals"] == {"city": 99}
    assert data["star"] == "五星"
    # 3.5.2 agrees with its suggestion but is below max: the deduction reason is still required.
    assert [(e["line"], e["code"]) for e in data["errors"]] == [("3.5.2", "reason_required")]


@pytest.mark.parametrize(
    ("stdin", "fragment"),
    [
        ("{not json", "JSON"),
        ('{"facts": {"platform_exists": true}}', "platform_exists"),
        ('{"facts": {}, "standard": "v9"}', "v9"),
    ],
)
def test_cli_malformed_exits_2_with_one_line(cli_env: dict[str, str], stdin: str, fragment: str) -> None:
    done = cli(cli_env, stdin)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert fragment in lines[0]
