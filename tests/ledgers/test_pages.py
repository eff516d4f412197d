"""Ledger pages: scope, masking and its log, sensitive groups, forms validated in Chinese."""

from datetime import date

import pytest
from django.urls import reverse

from ledgers.models import Person
from orgs.models import AccessLog
from tests.cast import PASSWORD
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db


def login(client, username):
    client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [("t_operator", 200), ("t_county", 200), ("t_street", 200), ("t_city", 200), ("t_outsider", 404),
     ("t_county2", 404)],
)
def test_person_detail_scope(client, cast, who, status):
    p = f.person(cast.community)
    assert login(client, who).get(reverse("ledgers:person_detail", args=[p.pk])).status_code == status


def test_list_masks_and_hides_sensitive_groups(client, cast):
    p = f.person(cast.community, name="吴七", phone="13812345678", is_disabled=True, is_veteran=True)
    f.unemployed(p, date(2025, 1, 1))
    for who, sees_sensitive in (("t_operator", True), ("t_city", False)):
        html = login(client, who).get(reverse("ledgers:persons")).content.decode()
        assert "吴七" in html and p.id_number not in html and "13812345678" not in html
        assert "138****5678" in html and "退役军人" in html
        assert ("残疾人</span>" in html) is sees_sensitive
    html = login(client, "t_city").get(reverse("ledgers:persons") + "?group=is_disabled").content.decode()
    assert "吴七" in html  # an unknown group filter is ignored, not leaked: city sees everyone unfiltered
    html = client.get(reverse("ledgers:persons") + f"?q={p.id_number}").content.decode()
    assert "吴七" in html  # search by the full number works while the page shows it masked


def test_unmask_is_logged_and_role_checked(client, cast):
    p = f.person(cast.community, phone="13812345678")
    login(client, "t_operator")
    html = client.post(reverse("ledgers:person_unmask", args=[p.pk])).content.decode()
    assert p.id_number in html and "13812345678" in html
    assert AccessLog.objects.filter(kind="unmask", target=f"person:{p.pk}").count() == 1
    login(client, "t_city")  # city reviewer may not unmask
    assert client.post(reverse("ledgers:person_unmask", args=[p.pk])).status_code == 403


def test_person_form_validates_in_chinese_and_derives_birth(client, cast):
    login(client, "t_operator")
    url = reverse("ledgers:person_create")
    html = client.post(url, {"name": "郑八", "id_number": "110105194912310021"}).content.decode()
    assert "校验位错误" in html
    number = f.make_id("19851120", female=True)
    r = client.post(url, {"name": "郑八", "id_number": number.lower(), "phone": "+86 139 0000 1111",
                          "labour_capacity": "on", "wish_to_work": "on"})
    assert r.status_code == 302
    p = Person.objects.get(id_number=number)
    assert (p.birth_date, p.sex, p.phone) == (date(1985, 11, 20), "F", "13900001111")
    other = f.person(cast.other_community)
    html = client.post(url, {"name": "重复", "id_number": other.id_number}).content.decode()
    assert "西华一社区" not in html and "已在本市其他社区的台帐中登记" in html  # where: only for the county level


def test_record_forms_and_permissions(client, cast):
    p = f.person(cast.community)
    url = reverse("ledgers:record_create", args=["unemployment", p.pk])
    login(client, "t_county")
    assert client.get(url).status_code == 403  # county reviewers read ledgers, do not edit them
    login(client, "t_operator")
    html = client.post(url, {"registered_on": "2025-03-01", "ended_on": "2025-02-01"}).content.decode()
    assert "不能早于" in html and "注销原因" in html
    assert client.post(url, {"registered_on": "2025-03-01"}).status_code == 302
    assert p.unemployment.count() == 1
    login(client, "t_outsider")
    assert client.get(url).status_code == 404


def test_index_and_lists_render(client, cast):
    hh = f.household(cast.community)
    f.zero(hh, date(2025, 1, 1))
    f.visit(hh, date(2025, 2, 1))
    login(client, "t_county")
    for name in ("index", "persons", "households", "employers", "complaints"):
        assert client.get(reverse(f"ledgers:{name}")).status_code == 200
    assert "上门走访" in client.get(reverse("ledgers:household_detail", args=[hh.pk])).content.decode()
