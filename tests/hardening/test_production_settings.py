"""Issue 11.8: PRODUCTION=1 refuses a missing, short or example SECRET_KEY; `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_KEY = "Yq3v8-NrT0pXc2LmW9sB4hJ7kDf1GzUe6aRiOo5tVnMwQyPbCxHsEjKlZu_Ag"


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / "deploy" / "env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def run_manage(extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"TESTING", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(extra_env)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "key",
    [None, "", "change-me-to-a-long-random-string", "dev-only-insecure-key-change-me", "short-but-random-7Gq",
     "a" * 64],
    ids=["missing", "empty", "example", "dev-default", "short", "one-letter"],
)
def test_production_refuses_a_bad_secret_key(key, tmp_path):
    env = {**env_example(), "VAR_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path / "m")}
    env.pop("SECRET_KEY")
    if key is not None:
        env["SECRET_KEY"] = key
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ImproperlyConfigured" in result.stderr


def test_check_deploy_is_clean_with_the_example_settings_and_a_real_key(tmp_path):
    env = {**env_example(), "SECRET_KEY": REAL_KEY, "VAR_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path / "m")}
    result = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_guide_does_not_expect_warnings():
    guide = (ROOT / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    assert "three warnings" not in guide and "reports no issues" in guide
