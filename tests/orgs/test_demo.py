from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command

from orgs.demo import DEFAULT_DEMO_PASSWORD, create_demo_org
from orgs.models import Level, Role, Unit, User
from orgs.scoping import visible_communities

pytestmark = pytest.mark.django_db


def test_demo_city_is_complete_and_idempotent():
    result = create_demo_org(DEFAULT_DEMO_PASSWORD)
    again = create_demo_org(DEFAULT_DEMO_PASSWORD)
    assert Unit.objects.filter(level=Level.CITY).count() == 1
    assert Unit.objects.filter(level=Level.COUNTY).count() == 3
    assert Unit.objects.filter(level=Level.STREET).count() == 6
    assert Unit.objects.filter(level=Level.COMMUNITY).count() == 12
    assert User.objects.count() == 3 + 3 + 1 + 12  # city: admin and two reviewers (an appeal needs a second)
    assert [u.pk for u in again["users"]] == [u.pk for u in result["users"]]
    assert len(result["operators"]) == 12 and len(result["county_reviewers"]) == 3
    for user in result["users"]:
        user.full_clean(exclude=["password"])  # role matches the unit level
        assert user.check_password(DEFAULT_DEMO_PASSWORD) and not user.must_change_password
        validate_password(DEFAULT_DEMO_PASSWORD, user)
    assert not result["city_admin"].is_staff and result["city_admin"].role == Role.CITY_ADMIN
    assert visible_communities(result["street_viewer"]).count() == 2
    for reviewer in result["county_reviewers"]:
        assert visible_communities(reviewer).count() == 4


def test_demo_restores_a_changed_password():
    result = create_demo_org(DEFAULT_DEMO_PASSWORD)
    admin = result["city_admin"]
    admin.set_password("Changed-2026x")
    admin.save()
    create_demo_org(DEFAULT_DEMO_PASSWORD)
    admin.refresh_from_db()
    assert admin.check_password(DEFAULT_DEMO_PASSWORD)


def test_demo_logins_prints_a_table():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed_demo" in out.getvalue()
    create_demo_org(DEFAULT_DEMO_PASSWORD)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "| 市级管理员" in text and "sf_admin" in text and DEFAULT_DEMO_PASSWORD in text
    assert "东湖区 / 湖滨街道 / 湖滨社区" in text and text.count("社区填报人员") == 12
