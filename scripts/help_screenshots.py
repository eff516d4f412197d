#!/usr/bin/env python3
"""Take the help page's screenshots (orgs/help.py) from a running demo, at 1366×768.

    make run                                   # in another terminal: the demo city on 127.0.0.1:8000
    .venv/bin/python scripts/help_screenshots.py [--base http://127.0.0.1:8000] [--password Demo#2026xy]

Writes static/help/<file>.png (committed: the help page serves them like any static file). Uses Debian's
chromium through Playwright, as the browser tests do.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orgs.help import HELP_SHOTS  # noqa: E402

OUT = ROOT / "static" / "help"
SHEET = re.compile(r"^/evaluations/\d+/$")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default="Demo#2026xy")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for shots in HELP_SHOTS.values():
            for shot in shots:
                context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
                page = context.new_page()
                page.goto(f"{args.base}/accounts/login/")
                page.fill("input[name=username]", shot.username)
                page.fill("input[name=password]", args.password)
                page.locator("form button[type=submit]").first.click()
                page.wait_for_load_state("networkidle")
                path = shot.path
                if path == "sheet":
                    page.goto(f"{args.base}/")
                    hrefs = [a.get_attribute("href") or "" for a in page.locator("a").all()]
                    path = next(h for h in hrefs if SHEET.match(h))
                page.goto(f"{args.base}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / shot.file))
                print(f"{shot.username:<10} {path:<24} -> static/help/{shot.file}")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
