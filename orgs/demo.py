"""The demo city for `make run`: 示范市 with 3 districts/counties, 6 streets, 12 communities and one
demo account per role. Idempotent: units are matched by code, users by username; re-running restores
names, bindings and the demo password.

Codes follow the statistical division style (6-digit county, 9-digit street, 12-digit community) under
the fictitious prefix 99, which no real province uses.
"""

from __future__ import annotations

import os

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from .models import Level, Role, Unit, User

# Documented in README/DEVELOPERS; override with DEMO_PASSWORD. Passes AUTH_PASSWORD_VALIDATORS.
DEFAULT_DEMO_PASSWORD = "Demo#2026xy"

CITY = ("示范市", "990100")
# county name, code, slug, [(street name, slug, [community names with slugs])]
TREE = [
    ("东湖区", "990102", "donghu", [
        ("湖滨街道", "hubin", [("湖滨社区", "hubin"), ("柳岸社区", "liuan")]),
        ("新华街道", "xinhua", [("新华里社区", "xinhuali"), ("光明社区", "guangming")]),
    ]),
    ("西山区", "990103", "xishan", [
        ("枫林街道", "fenglin", [("枫林社区", "fenglin"), ("翠竹社区", "cuizhu")]),
        ("金桥街道", "jinqiao", [("金桥社区", "jinqiao"), ("和平社区", "heping")]),
    ]),
    ("南溪县", "990121", "nanxi", [
        ("城关镇", "chengguan", [("城东社区", "chengdong"), ("城西社区", "chengxi")]),
        ("青石镇", "qingshi", [("青石社区", "qingshi"), ("溪口社区", "xikou")]),
    ]),
]
STREET_VIEWER_STREET = "990102001"  # 湖滨街道


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def demo_accounts() -> list[tuple[str, str, str, str]]:
    """(username, role, unit code, display name) of every demo account, in display order."""
    accounts = [
        ("sf_admin", Role.CITY_ADMIN, CITY[1], "市管理员"),
        ("sf_city", Role.CITY_REVIEWER, CITY[1], "市复核员"),
        # A second city reviewer, not involved in any demo sheet: decides appeals (复核申请) independently.
        ("sf_city2", Role.CITY_REVIEWER, CITY[1], "市复核员（复核申请）"),
    ]
    for county, ccode, cslug, _streets in TREE:
        accounts.append((f"qx_{cslug}", Role.COUNTY_REVIEWER, ccode, f"{county}审核员"))
    accounts.append(("jd_hubin", Role.STREET_VIEWER, STREET_VIEWER_STREET, "湖滨街道查看员"))
    for _county, ccode, _cslug, streets in TREE:
        for s_index, (_street, _sslug, communities) in enumerate(streets, start=1):
            scode = f"{ccode}{s_index:03d}"
            for m_index, (community, mslug) in enumerate(communities, start=1):
                accounts.append((f"sq_{mslug}", Role.COMMUNITY_OPERATOR, f"{scode}{m_index:03d}", f"{community}填报员"))
    return accounts


def _unit(name: str, code: str, level: str, parent: Unit | None) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        return Unit.objects.create(name=name, code=code, level=level, parent=parent)
    if (unit.name, unit.level, unit.parent_id, unit.is_active) != (name, level, parent and parent.pk, True):
        unit.name, unit.level, unit.parent, unit.is_active = name, level, parent, True
        unit.save()
    return unit


@transaction.atomic
def create_demo_org(password: str | None = None) -> dict:
    """Create or refresh the demo city; returns the units and users for seed_demo to build on.

    Keys: city, counties, streets, communities (lists of Unit, by code), users (list in display order),
    and by role: city_admin, city_reviewer, county_reviewers, street_viewer, operators
    (dict community code -> User), password.
    """
    password = password or demo_password()
    validate_password(password)
    city = _unit(CITY[0], CITY[1], Level.CITY, None)
    counties, streets, communities = [], [], []
    for county_name, ccode, _cslug, street_list in TREE:
        county = _unit(county_name, ccode, Level.COUNTY, city)
        counties.append(county)
        for s_index, (street_name, _sslug, community_list) in enumerate(street_list, start=1):
            street = _unit(street_name, f"{ccode}{s_index:03d}", Level.STREET, county)
            streets.append(street)
            for m_index, (community_name, _mslug) in enumerate(community_list, start=1):
                communities.append(_unit(community_name, f"{street.code}{m_index:03d}", Level.COMMUNITY, street))
    units = {u.code: u for u in [city, *counties, *streets, *communities]}

    users = []
    for username, role, code, display_name in demo_accounts():
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.unit, user.display_name = role, units[code], display_name
        user.is_active, user.must_change_password = True, False
        user.is_staff = False  # the Django admin is for engineers (superusers) only
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        users.append(user)
    by_role: dict[str, list[User]] = {}
    for user in users:
        by_role.setdefault(user.role, []).append(user)
    return {
        "city": city,
        "counties": counties,
        "streets": streets,
        "communities": communities,
        "users": users,
        "city_admin": by_role[Role.CITY_ADMIN][0],
        "city_reviewer": by_role[Role.CITY_REVIEWER][0],
        "city_reviewers": by_role[Role.CITY_REVIEWER],
        "county_reviewers": by_role[Role.COUNTY_REVIEWER],
        "street_viewer": by_role[Role.STREET_VIEWER][0],
        "operators": {u.unit.code: u for u in by_role[Role.COMMUNITY_OPERATOR]},
        "password": password,
    }
