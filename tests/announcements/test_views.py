"""The notice pages: the public page (no account, CSRF, throttled by the trusted client address, no
personal data), the documents, the staff pages' masking and logging."""

import datetime
import io
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from announcements import services
from announcements.models import Channel, Objection
from evaluations.models import State
from orgs.models import AccessLog

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 9, 28)
NGINX = "10.0.0.5"


@pytest.fixture
def notice(cast, period, reviewed):
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield services.start_notice(period, cast.city_admin)


def test_start_page_previews_the_window_and_starts_on_confirmation(client, cast, period, reviewed):
    client.force_login(cast.city_admin)
    url = reverse("announcements:start", args=[period.pk])
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        page = client.get(url).content.decode()
        assert "2026年09月28日 至 2026年10月09日" in page and "东华一社区" in page
        preview = client.post(url, {"start_on": "2026-09-30", "working_days": "5", "how_to_object": "来电"})
        assert "2026年10月12日" in preview.content.decode() and not period.notices.exists()
        done = client.post(url, {"start_on": "2026-09-30", "working_days": "5", "how_to_object": "来电",
                                 "confirm": "1"})
    notice = period.notices.get()
    assert done.status_code == 302 and done["Location"] == reverse("announcements:detail", args=[notice.pk])
    assert notice.ends_on == datetime.date(2026, 10, 12)
    assert {ev.state for ev in reviewed[0].period.evaluations.filter(community__in=[cast.community, cast.sibling])} \
        == {State.NOTICE}


def test_public_page_shows_only_the_list_and_how_to_object(notice, cast):
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        services.record_objection(notice, cast.city_admin, channel=Channel.PHONE, objector="赵先生",
                                  contact="13900001234", content="反映东华一社区台帐与实际不符，请核实。")
        response = Client().get(reverse("announcements:public", args=[notice.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "东华一社区" in html and "五星" in html and "2026年10月09日" in html and "异议受理方式" in html
    for private in ("13900001234", "赵先生", "台帐与实际不符", "t_admin", "市级意见"):
        assert private not in html
    assert "<script>" not in html and "onclick" not in html
    assert response.headers.get("Content-Security-Policy")


def test_public_form_needs_the_csrf_token(notice):
    client = Client(enforce_csrf_checks=True)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        refused = client.post(reverse("announcements:public", args=[notice.pk]),
                              {"contact": "13900001234", "content": "反映某社区材料与实际不符"})
        assert refused.status_code == 403 and not Objection.objects.exists()
        page = client.get(reverse("announcements:public", args=[notice.pk]))
        token = page.cookies["csrftoken"].value
        ok = client.post(reverse("announcements:public", args=[notice.pk]),
                         {"contact": "13900001234", "content": "反映某社区材料与实际不符", "csrfmiddlewaretoken": token})
    assert ok.status_code == 200 and "受理编号" in ok.content.decode()
    case = Objection.objects.get()
    assert case.channel == Channel.ONLINE and case.received_by is None


def test_public_form_is_throttled_per_trusted_client_address(notice, settings):
    settings.TRUSTED_PROXIES = [NGINX]
    settings.OBJECTION_THROTTLE_PER_HOUR = 2
    url = reverse("announcements:public", args=[notice.pk])
    body = {"contact": "13900001234", "content": "反映某社区材料与实际不符"}

    def post(client_address, forged=""):
        chain = ", ".join(x for x in (forged, client_address) if x)
        return Client().post(url, body, REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=chain)

    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        assert post("203.0.113.9").status_code == 200
        assert post("203.0.113.9", forged="1.2.3.4").status_code == 200  # a forged left entry changes nothing
        blocked = post("203.0.113.9", forged="5.6.7.8")
        assert blocked.status_code == 429 and "过于频繁" in blocked.content.decode()
        assert post("203.0.113.10").status_code == 200  # another client behind the same proxy
    assert Objection.objects.count() == 3
    assert not Objection.objects.filter(client_key__contains="203.0.113").exists()


def test_documents_are_ready_to_post(notice):
    from docx import Document

    client = Client()
    docx = client.get(reverse("announcements:document", args=[notice.pk, "docx"]))
    assert docx.status_code == 200 and "attachment" in docx["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert notice.title in text and "2026年09月28日至2026年10月09日（5个工作日" in text and "异议受理方式" in text
    table = Document(io.BytesIO(docx.content)).tables[0]
    assert [c.text for c in table.rows[1].cells][3:] == ["东华一社区", "100", "五星"]
    pdf = client.get(reverse("announcements:document", args=[notice.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("announcements:document", args=[notice.pk, "exe"])).status_code == 404


def test_case_page_masks_the_contact_unless_the_role_needs_it_and_logs_showing_it(client, notice, cast):
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        case = services.submit_public_objection(notice, contact="13900001234",
                                                content="反映某社区材料与实际不符")
    url = reverse("announcements:case", args=[case.pk])
    client.force_login(cast.city_reviewer)  # not (yet) the case's reviewer
    page = client.get(url).content.decode()
    assert "139****1234" in page and "13900001234" not in page
    assert not AccessLog.objects.exists()
    client.force_login(cast.city_admin)
    page = client.get(url).content.decode()
    assert "13900001234" in page
    log = AccessLog.objects.get()
    assert (log.user, log.kind, log.detail) == (cast.city_admin, "unmask", {"objection": case.pk})
    detail = client.get(reverse("announcements:detail", args=[notice.pk])).content.decode()
    assert "139****1234" in detail and "13900001234" not in detail


def test_menu_shows_the_notices_to_city_staff_only(client, cast):
    for user, shown in ((cast.city_admin, True), (cast.city_reviewer, True), (cast.county_reviewer, False),
                        (cast.operator, False)):
        client.force_login(user)
        assert ("公示与异议" in client.get(reverse("home")).content.decode()) is shown, user


def test_the_start_runs_as_a_job_followed_on_the_notice_page(client, cast, period, reviewed):
    from jobs.models import Job

    client.force_login(cast.city_admin)
    url = reverse("announcements:start", args=[period.pk])
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        done = client.post(url, {"start_on": "2026-09-30", "working_days": "5", "how_to_object": "来电", "confirm": "1"})
        notice = period.notices.get()
        page = client.get(done["Location"]).content.decode()
    job = Job.objects.get(kind="notice_start")
    assert notice.start_job == job and job.state == Job.State.DONE and job.shared
    assert job.params == {"notice_id": notice.pk} and (job.done, job.total) == (2, 2)
    assert "已开始公示" in job.message and notice.ready
    assert 'data-testid="notice-starting"' not in page and 'data-testid="public-link"' in page


def test_a_notice_still_starting_shows_its_progress_and_no_public_page(client, cast, period, reviewed):
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        notice = services.open_notice(period, cast.city_admin)
        public = Client().get(reverse("announcements:public", args=[notice.pk]))
        public_index = Client().get(reverse("announcements:public_index")).content.decode()
        document = Client().get(reverse("announcements:document", args=[notice.pk, "docx"]))
        client.force_login(cast.city_admin)
        page = client.get(reverse("announcements:detail", args=[notice.pk])).content.decode()
        assert public.status_code == 404 and document.status_code == 404 and notice.title not in public_index
        assert 'data-testid="notice-starting"' in page and 'data-testid="resume-start"' in page
        assert 'data-testid="public-link"' not in page and "尚未开始完成，不能公布" in page
        resumed = client.post(reverse("announcements:resume_start", args=[notice.pk]))
    assert resumed.status_code == 302
    notice.refresh_from_db()
    assert notice.ready and notice.start_job is not None
    assert set(period.evaluations.filter(pk__in=[e.pk for e in reviewed]).values_list("state", flat=True)) == {
        State.NOTICE}
    client.force_login(cast.city_reviewer)
    assert client.post(reverse("announcements:resume_start", args=[notice.pk])).status_code == 403
