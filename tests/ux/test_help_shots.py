"""The help page shows screenshots of the real pages under each role's walk-through (issue 13.7)."""

from pathlib import Path

import pytest
from django.urls import reverse

from tests.cast import PASSWORD

ROOT = Path(__file__).resolve().parents[2]

# role -> the screenshot files its walk-through shows (written out, not read from orgs/help.py).
EXPECTED = {
    "community_operator": ["community-home.png", "community-sheet.png"],
    "county_reviewer": ["county-home.png", "county-list.png"],
    "street_viewer": ["street-home.png"],
    "city_reviewer": ["city-home.png"],
    "city_admin": ["admin-notices.png", "admin-periods.png"],
}


@pytest.mark.parametrize("name", sorted(f for files in EXPECTED.values() for f in files))
def test_each_screenshot_is_a_png_in_static(name):
    data = (ROOT / "static" / "help" / name).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_the_help_page_shows_the_roles_screenshots_first(client, cast, role):
    user = cast.users_by_role()[role]
    client.login(username=user.username, password=PASSWORD)
    html = client.get(reverse("help")).content.decode()
    own = html.split('data-testid="help-own"', 1)[1].split("其他角色的工作", 1)[0]
    for name in EXPECTED[role]:
        assert f"help/{name}" in own
    for names in EXPECTED.values():
        for name in names:
            assert f"help/{name}" in html  # the other roles' folded walk-throughs carry theirs
