"""The fixed cast: a small city, one user per role, and outsiders (healthchecks' BaseTestCase idea)."""

from __future__ import annotations

from dataclasses import dataclass

from orgs.models import Level, Role, Unit, User

PASSWORD = "Passw0rd-Test-2026"


@dataclass
class Cast:
    city: Unit
    county: Unit  # 东城区: the cast's own county
    street: Unit
    community: Unit  # the operator's community
    sibling: Unit  # another community of the same street
    other_county: Unit
    other_street: Unit
    other_community: Unit  # outside the county
    city_admin: User
    city_reviewer: User
    county_reviewer: User
    street_viewer: User
    operator: User
    outsider: User  # operator of other_community
    other_county_reviewer: User

    def users_by_role(self) -> dict[str, User]:
        return {
            "city_admin": self.city_admin,
            "city_reviewer": self.city_reviewer,
            "county_reviewer": self.county_reviewer,
            "street_viewer": self.street_viewer,
            "community_operator": self.operator,
            "outsider": self.outsider,
            "other_county_reviewer": self.other_county_reviewer,
        }


def make_unit(name: str, code: str, level: str, parent: Unit | None = None) -> Unit:
    return Unit.objects.create(name=name, code=code, level=level, parent=parent)


def make_user(username: str, role: str, unit: Unit, **extra) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, unit=unit, display_name=extra.pop("display_name", username), **extra
    )


def build_cast() -> Cast:
    city = make_unit("示范市", "C", Level.CITY)
    county = make_unit("东城区", "C01", Level.COUNTY, city)
    street = make_unit("东华街道", "C0101", Level.STREET, county)
    community = make_unit("东华一社区", "C010101", Level.COMMUNITY, street)
    sibling = make_unit("东华二社区", "C010102", Level.COMMUNITY, street)
    other_county = make_unit("西城区", "C02", Level.COUNTY, city)
    other_street = make_unit("西华街道", "C0201", Level.STREET, other_county)
    other_community = make_unit("西华一社区", "C020101", Level.COMMUNITY, other_street)
    return Cast(
        city=city,
        county=county,
        street=street,
        community=community,
        sibling=sibling,
        other_county=other_county,
        other_street=other_street,
        other_community=other_community,
        city_admin=make_user("t_admin", Role.CITY_ADMIN, city),
        city_reviewer=make_user("t_city", Role.CITY_REVIEWER, city),
        county_reviewer=make_user("t_county", Role.COUNTY_REVIEWER, county),
        street_viewer=make_user("t_street", Role.STREET_VIEWER, street),
        operator=make_user("t_operator", Role.COMMUNITY_OPERATOR, community),
        outsider=make_user("t_outsider", Role.COMMUNITY_OPERATOR, other_community),
        other_county_reviewer=make_user("t_county2", Role.COUNTY_REVIEWER, other_county),
    )
