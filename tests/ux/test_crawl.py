"""Every page as every role on the demo city: no English error title, no internal (snake_case) name.

Every named URL is either crawled (GET, with sample arguments from the demo city) or listed below with
the reason it is not an HTML page; a new URL fails the test until it is placed in one of the two.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from announcements.models import Notice, Objection
from evaluations.models import Evaluation, EvidenceRevision, Period, State
from jobs.models import Job
from ledgers.models import Complaint, Employer, Household, ImportJob, Person, Visit
from orgs.models import User

pytestmark = pytest.mark.django_db

ROLES = ["sf_admin", "sf_city", "qx_donghu", "jd_hubin", "sq_hubin"]
ENGLISH_TITLES = re.compile(r"Not Found|Forbidden|Server Error|Bad Request|Page not found|Method Not Allowed")
SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])", re.ASCII)
# Not HTML pages, or not for end users: files, JSON, POST-only actions, the engineers' admin.
NOT_PAGES = {
    "healthz": "plain-text probe",
    "logout": "POST only",
    "orgs:import_template": "xlsx file",
    "orgs:user_reset_password": "POST only",
    "orgs:user_deactivate": "POST only",
    "orgs:user_reactivate": "POST only",
    "evaluations:bulk": "POST only",
    "evaluations:innovation": "POST only",
    "evaluations:save_line": "POST only (htmx)",
    "evaluations:save_fact": "POST only (htmx)",
    "evaluations:save_innovation": "POST only (htmx)",
    "evaluations:transition": "POST only",
    "evaluations:answer_return": "POST only (htmx)",
    "evaluations:adopt": "POST only",
    "evaluations:evidence_upload": "POST only",
    "evaluations:evidence_download": "file",
    "evaluations:evidence_delete": "POST only",
    "ledgers:person_unmask": "POST only",
    "ledgers:person_void": "POST only",
    "ledgers:person_restore": "POST only",
    "ledgers:visit_photo": "image file",
    "ledgers:import_apply": "POST only",
    "ledgers:import_template": "xlsx file",
    "ledgers:import_errors": "xlsx file",
    "ledgers:export": "xlsx/csv file",
    "ledgers:refresh_facts": "POST only",
    "reports:form_download": "xlsx/docx/pdf file",
    "reports:export": "xlsx/csv file",
    "api:token_revoke": "POST only",
    "orgs:unit_retire": "POST only",
    "orgs:unit_restore": "POST only",
    "orgs:unit_options": "htmx fragment: <option> list of the unit search",
    "orgs:community_options": "htmx fragment: <option> list of the community search",
    "orgs:user_unlock": "POST only",
    "jobs:progress": "htmx fragment: the progress bar",
    "jobs:download": "file",
    "reports:form_batch": "POST only",
    "announcements:resume_start": "POST only",
    "announcements:case_assign": "POST only",
    "announcements:case_note": "POST only",
    "announcements:case_file": "POST only",
    "announcements:case_decide": "POST only",
    "announcements:case_file_download": "file",
    "announcements:document": "docx/pdf file",
    "register:export": "POST only (starts a job)",
    "register:award_change": "POST only",
    "register:award_document": "file",
    "register:appeal_decide": "POST only",
    "register:appeal_file": "file",
    "register:panel_adopt": "POST only",
    "verification:draw": "POST only",
    "verification:check_outcome": "POST only",
    "verification:photo": "image file",
    "verification:report": "xlsx/docx file",
    "verification:county_report": "xlsx/docx file",
    "verification:reconcile_xlsx": "xlsx file",
    "verification:reconcile_city": "POST only",
    "evaluations:period_action": "POST only",
    "evaluations:evidence_lines": "POST only",
    "inbox:open": "POST only",
    "inbox:read": "POST only",
}
NOT_PAGE_PREFIXES = ("api:v1:", "admin:")


def named_urls() -> set[str]:
    names: set[str] = set()

    def walk(patterns, ns: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{ns}{p.name}")

    walk(get_resolver().url_patterns, "")
    return names


def sample_urls() -> dict[str, str]:
    """One URL per page, with arguments taken from the demo city (湖滨社区's objects where scoped)."""
    draft = Evaluation.objects.filter(period__year=2026, community__name="湖滨社区").get()
    county_review = Evaluation.objects.filter(period__year=2026, state=State.COUNTY_REVIEWING).first()
    published = Evaluation.objects.filter(state=State.PUBLISHED, community__county=draft.community.county).order_by(
        "-period__year").first()
    person = Person.objects.filter(community=draft.community).first()
    household = Household.objects.filter(community=draft.community).first()
    employer = Employer.objects.filter(community=draft.community).first()
    complaint = Complaint.objects.first()
    visit = Visit.objects.filter(household__community=draft.community).first()
    revision = EvidenceRevision.objects.select_related("evidence").first()
    job = ImportJob.objects.first()
    period = Period.objects.order_by("-year").first()
    notice = Notice.objects.order_by("-started_at").first()  # the demo's running notice
    objection = Objection.objects.filter(notice=notice).order_by("pk").first()
    urls = {
        "home": reverse("home"),
        "help": reverse("help"),
        "login": reverse("login"),
        "password_change": reverse("password_change"),
        "orgs:units": reverse("orgs:units"),
        "orgs:import": reverse("orgs:import"),
        "orgs:users": reverse("orgs:users"),
        "orgs:user_create": reverse("orgs:user_create"),
        "orgs:user_detail": reverse("orgs:user_detail", args=[User.objects.get(username="sq_hubin").pk]),
        "standards:current": reverse("standards:current"),
        "standards:detail": reverse("standards:detail", args=[period.standard.version]),
        "evaluations:list": reverse("evaluations:list"),
        "evaluations:periods": reverse("evaluations:periods"),
        "evaluations:period_create": reverse("evaluations:period_create"),
        "evaluations:period_edit": reverse("evaluations:period_edit", args=[period.pk]),
        "evaluations:detail": reverse("evaluations:detail", args=[draft.pk]),
        "evaluations:evidence": reverse("evaluations:evidence", args=[draft.pk, "1.1"]),
        "evaluations:compare": reverse("evaluations:compare", args=[published.pk]),
        "evaluations:history": reverse("evaluations:history", args=[draft.pk]),
        "ledgers:index": reverse("ledgers:index"),
        "ledgers:persons": reverse("ledgers:persons"),
        "ledgers:person_create": reverse("ledgers:person_create"),
        "ledgers:person_detail": reverse("ledgers:person_detail", args=[person.pk]),
        "ledgers:person_edit": reverse("ledgers:person_edit", args=[person.pk]),
        "ledgers:households": reverse("ledgers:households"),
        "ledgers:household_create": reverse("ledgers:household_create"),
        "ledgers:household_detail": reverse("ledgers:household_detail", args=[household.pk]),
        "ledgers:household_edit": reverse("ledgers:household_edit", args=[household.pk]),
        "ledgers:employers": reverse("ledgers:employers"),
        "ledgers:employer_create": reverse("ledgers:employer_create"),
        "ledgers:employer_detail": reverse("ledgers:employer_detail", args=[employer.pk]),
        "ledgers:employer_edit": reverse("ledgers:employer_edit", args=[employer.pk]),
        "ledgers:complaints": reverse("ledgers:complaints"),
        "ledgers:complaint_create": reverse("ledgers:complaint_create"),
        "ledgers:complaint_edit": reverse("ledgers:complaint_edit", args=[complaint.pk]),
        "ledgers:record_create": reverse("ledgers:record_create", args=["visit", household.pk]),
        "ledgers:record_edit": reverse("ledgers:record_edit", args=["visit", visit.pk]),
        "ledgers:import": reverse("ledgers:import"),
        "ledgers:evaluation_facts": reverse("ledgers:evaluation_facts", args=[draft.pk]),
        "ledgers:fact_records": reverse("ledgers:fact_records", args=[draft.pk, "households_to_visit"]),
        "reports:index": reverse("reports:index"),
        "reports:form_print": reverse("reports:form_print", args=[published.pk]),
        "reports:ledger_stats": reverse("reports:ledger_stats"),
        "reports:dashboard": reverse("reports:dashboard", args=["scores"]),
        "api:tokens": reverse("api:tokens"),
        "jobs:list": reverse("jobs:list"),
        "inbox:index": reverse("inbox:index"),
        "ledgers:duplicates": reverse("ledgers:duplicates"),
        "announcements:index": reverse("announcements:index"),
        "announcements:start": reverse("announcements:start", args=[period.pk]),
        "announcements:detail": reverse("announcements:detail", args=[notice.pk]),
        "announcements:objection_create": reverse("announcements:objection_create", args=[notice.pk]),
        "announcements:case": reverse("announcements:case", args=[objection.pk]),
        "announcements:public_index": reverse("announcements:public_index"),
        "announcements:public": reverse("announcements:public", args=[notice.pk]),
        **_register_pages(draft, published, period),
    }
    extra = {
        "evaluations:detail#county": reverse("evaluations:detail", args=[county_review.pk]),
        "evaluations:history#county": reverse("evaluations:history", args=[county_review.pk]),
        "evaluations:history#published": reverse("evaluations:history", args=[published.pk]),
        "evaluations:compare#county": reverse("evaluations:compare", args=[county_review.pk]),
        "reports:dashboard#history": reverse("reports:dashboard", args=["history"]),
        "reports:dashboard#outcomes": reverse("reports:dashboard", args=["outcomes"]),
        "evaluations:detail#missing": reverse("evaluations:detail", args=[987654]),
        "unknown-url": "/no-such-page/",
    }
    if revision is not None:
        extra["evaluations:evidence#revision"] = reverse(
            "evaluations:evidence", args=[revision.evidence.evaluation_id, revision.evidence.line_id])
    background = Job.objects.order_by("pk").first()
    if background is not None:
        urls["jobs:detail"] = reverse("jobs:detail", args=[background.pk])
    if job is not None:
        urls["ledgers:import_detail"] = reverse("ledgers:import_detail", args=[job.pk])
    urls.update(_unit_pages())
    urls.update(_verification_pages())
    urls.update(extra)
    return urls


def _register_pages(draft: Evaluation, published: Evaluation, period: Period) -> dict[str, str]:
    """The register's pages on the demo's objects (the appeal and the panel are of 西山区 communities)."""
    from register.models import Appeal, Award, PanelRating

    award = Award.objects.filter(community=draft.community).first() or Award.objects.first()
    return {
        "register:index": reverse("register:index"),
        "register:national": reverse("register:national"),
        "register:appeals": reverse("register:appeals"),
        "register:award": reverse("register:award", args=[award.pk]),
        "register:community": reverse("register:community", args=[draft.community_id]),
        "register:appeal": reverse("register:appeal", args=[Appeal.objects.first().pk]),
        "register:appeal_new": reverse("register:appeal_new", args=[published.pk]),
        "register:panel": reverse("register:panel", args=[PanelRating.objects.first().evaluation_id]),
        "register:panel_mine": reverse("register:panel_mine"),
        "register:panel_rate": reverse("register:panel_rate", args=[PanelRating.objects.first().pk]),
        "register:rules": reverse("register:rules", args=[period.pk]),
        "register_public:index": reverse("register_public:index"),
        "reports:dashboard#yoy": reverse("reports:dashboard", args=["yoy"]),
    }


def _verification_pages() -> dict[str, str]:
    from verification.models import Check, Draw, ReferenceSource

    draw = Draw.objects.order_by("pk").first()
    check = Check.objects.order_by("pk").first()
    source = ReferenceSource.objects.order_by("pk").first()
    return {
        "verification:index": reverse("verification:index"),
        "verification:help": reverse("verification:help"),
        "verification:community": reverse("verification:community", args=[draw.community_id, draw.period.year]),
        "verification:draw_detail": reverse("verification:draw_detail", args=[draw.pk]),
        "verification:check": reverse("verification:check", args=[check.pk]),
        "verification:references": reverse("verification:references"),
        "verification:source_edit": reverse("verification:source_edit", args=[source.pk]),
        "verification:reconcile": reverse("verification:reconcile", args=[draw.community_id]),
    }


def _unit_pages() -> dict[str, str]:
    from orgs.models import Unit

    names = named_urls()
    unit = Unit.objects.get(name="湖滨社区")
    return {name: reverse(name, args=[unit.pk]) for name in ("orgs:unit_detail", "orgs:unit_edit") if name in names} | {
        name: reverse(name) for name in ("orgs:unit_create",) if name in names}


class TextOf(HTMLParser):
    """Visible text plus the attributes people read (title, placeholder, aria-label, alt, value of buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = TextOf()
    parser.feed(html)
    return "\n".join(p.strip() for p in parser.parts if p.strip())


def _failed_import() -> None:
    """An import with row errors, so its result page is crawled too."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from ledgers.services import check_import

    operator = User.objects.get(username="sq_hubin")
    wb = Workbook()
    wb.active.append(["姓名*", "身份证号*", "联系电话"])
    wb.active.append(["张三", "3.50102E+17", "123"])
    buf = io.BytesIO()
    wb.save(buf)
    check_import(operator, operator.unit, "persons", SimpleUploadedFile("人员.xlsx", buf.getvalue()), True)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        _failed_import()
        yield
        from django.core.management import call_command as cc

        cc("flush", interactive=False, verbosity=0)


def test_every_named_url_is_crawled_or_listed(demo):
    crawled = set(sample_urls())
    missing = sorted(n for n in named_urls() if n not in crawled and n not in NOT_PAGES
                     and not n.startswith(NOT_PAGE_PREFIXES))
    assert not missing, f"pages without a sample URL in the crawl: {missing}"


@pytest.mark.parametrize("username", ROLES + ["anonymous"])
def test_no_english_errors_or_internal_names(demo, client, username):
    allowed = set(User.objects.values_list("username", flat=True))
    if username != "anonymous":
        client.force_login(User.objects.get(username=username))
    problems = []
    for name, url in sample_urls().items():
        response = client.get(url)
        if response.status_code in (301, 302):
            continue
        assert response.status_code in (200, 403, 404, 405, 422), (name, url, response.status_code)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        text = visible_text(response.content.decode())
        if ENGLISH_TITLES.search(text):
            problems.append(f"{name} {url} [{response.status_code}]: English error title")
        names = {m for m in SNAKE.findall(text) if m not in allowed}
        if names:
            problems.append(f"{name} {url}: internal names {sorted(names)[:5]}")
    assert not problems, "\n".join(problems)
