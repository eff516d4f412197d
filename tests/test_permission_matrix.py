"""The permission matrix as data: (role, url, method) -> expected status, over every named URL.

`test_every_named_url_is_in_the_matrix` walks the project's URLconf, so a new URL without a row fails.
Objects belong to the cast's community (东华一社区) unless the target says `other_` (西华一社区, the
outsider's community, in another county). 'outsider' is that community's operator,
'other_county_reviewer' the reviewer of that county, 'anonymous' is not logged in.

The expected statuses follow the rules (orgs.scoping.ACTION_ROLES, get_for_user: 404 outside the unit,
then 403 for a role lacking the action; state checks of the services answer with a message, not 403).
POST rows send a valid body, and rows with `done_by` also check the effect: it happened for exactly those
roles, so a 200/302 that did nothing, or a 403 after a change, both fail.

An expected value may be a set when a role is allowed and the outcome depends on the form data: allowed
means "neither 403 nor 404 nor a login redirect". KNOWN_DEVIATIONS lists cells where the code answers
otherwise than the rule today; they run as strict xfails, so fixing the view turns them into failures
that ask for the entry to be removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from announcements.models import CaseFile, CaseNote, Objection
from evaluations.forms import bands_to_text
from evaluations.models import Evaluation, Evidence, EvidenceLine, FactAnswer, LineScore, Period, State
from inbox.models import Message
from jobs.models import Job
from ledgers.models import (
    Complaint,
    Employer,
    Employment,
    FactSnapshot,
    HardshipRecognition,
    Household,
    ImportJob,
    Person,
    ServiceRecord,
    UnemploymentRegistration,
    Vacancy,
    Visit,
    ZeroEmploymentHousehold,
)
from orgs.models import AccessLog, User
from register.models import Appeal, Award
from tests.ledgers import factories as lf
from tests.matrix_fixtures import SHEETS, World, build_world, person_file, token_of

ROLES = [
    "anonymous", "community_operator", "street_viewer", "county_reviewer", "city_reviewer", "city_admin",
    "outsider", "other_county_reviewer",
]
LOGIN = 302  # anonymous users are sent to the login page
OK_FORM = frozenset({200, 302, 400, 422})  # allowed: the view ran (success redirect or form errors)
OUT = {"outsider": 404, "other_county_reviewer": 404}  # the cast community lies outside their units


def per_role(default, **overrides) -> dict[str, object]:
    table = {role: default for role in ROLES}
    table["anonymous"] = LOGIN
    table.update(overrides)
    return table


EVERYONE = per_role(200)
SCOPED = per_role(200, **OUT)  # an object of the cast's community, viewed
# An object of 西华一社区: the city sees it, so do its own operator and county; the cast's units do not.
OTHER_UNIT = per_role(404, city_reviewer=200, city_admin=200, outsider=200, other_county_reviewer=200)
CITY_ADMIN_ONLY = per_role(403, city_admin=200)


def only(status, *roles, **extra) -> dict[str, object]:
    """`status` for the given roles, 403 for the other roles of the cast, 404 outside the unit."""
    return per_role(403, **OUT, **{r: status for r in roles}, **extra)


def create_page(status) -> dict[str, object]:
    """A ledger create page for the cast community: no object in the URL, so a role without edit_ledger
    answers 403 wherever it sits; the outsider may edit ledgers, but not this community's (404)."""
    return per_role(403, community_operator=status, city_admin=status, outsider=404)


LEDGER_EDITORS = ("community_operator", "city_admin")  # ACTION_ROLES["edit_ledger"]
CITY_REVIEW = ("city_reviewer", "city_admin")  # ACTION_ROLES["review_city"]
CITY_STAFF = {"city_reviewer": 200, "city_admin": 200}  # ACTION_ROLES["handle_objections"]
AUTHENTICATED = tuple(r for r in ROLES if r != "anonymous")


@dataclass(frozen=True)
class Case:
    target: str  # what the URL's arguments point at, see url_args()
    method: str
    expected: dict
    data: Callable[[World], dict] | dict | None = None
    query: str = ""  # "community": ?community=<the cast community> (the create pages of the ledgers)
    # The effect: effect(world) is true after the request exactly when the role is in done_by.
    effect: Callable[[World], bool] | None = None
    done_by: tuple[str, ...] = ()
    effect_takes_role: bool = False  # effect(world, role): the change depends on who asks (their own token)


def sheet(world: World, name: str) -> Evaluation:
    return Evaluation.objects.get(pk=world.sheets[name].pk)


def state_is(name: str, state: str) -> Callable[[World], bool]:
    return lambda w: sheet(w, name).state == state


def transition(source: str, action: str, target: str, roles: tuple[str, ...], data=None) -> Case:
    return Case(f"transition:{source}:{action}", "post", only(302, *roles), data,
                effect=state_is(source, target), done_by=roles)


def line_saved(name: str, stage: str) -> Callable[[World], bool]:
    return lambda w: LineScore.objects.get(evaluation_id=w.sheets[name].pk, line_id="1.2", stage=stage).score == 4


def fact_saved(name: str) -> Callable[[World], bool]:
    return lambda w: FactAnswer.objects.get(evaluation_id=w.sheets[name].pk, name="appraisal_system").value is False


def obj(world: World, name: str):
    return world.objects[name]


def person_body(w: World, name: str = "矩阵甲", which: str = "person") -> dict:
    p = Person.objects.get(pk=obj(w, which))
    return {"name": name, "id_number": p.id_number, "phone": p.phone, "household_code": p.household.code,
            "labour_capacity": "on", "wish_to_work": "on"}


def new_person_body(w: World) -> dict:
    return {"community": w.cast.community.pk, "name": "新登记丁", "id_number": lf.make_id("19880808"),
            "labour_capacity": "on", "wish_to_work": "on"}


def period_body(w: World, name: str) -> dict:
    period = Period.objects.get(pk=w.sheets["draft"].period_id)
    return {
        "year": period.year, "name": name, "standard": period.standard_id,
        "star_bands": bands_to_text(period.star_bands), "score_step": str(period.score_step),
        "self_deadline": period.self_deadline, "county_deadline": period.county_deadline,
        "city_deadline": period.city_deadline,
        "communities": list(Evaluation.objects.filter(period=period).values_list("community_id", flat=True)),
    }


DAY = "2025-04-01"
# Record kinds of ledgers:record_create/record_edit: (model, parent object, a valid body).
RECORDS: dict[str, tuple[type, str, dict]] = {
    "unemployment": (UnemploymentRegistration, "person", {"registered_on": DAY, "note": "矩阵"}),
    "hardship": (HardshipRecognition, "person", {"category": "4050", "recognized_on": DAY, "note": "矩阵"}),
    "employment": (Employment, "person", {"channel": "flexible", "started_on": DAY, "post": "矩阵"}),
    "service": (ServiceRecord, "person", {"kind": "guidance", "served_on": DAY, "note": "矩阵"}),
    "zero": (ZeroEmploymentHousehold, "household", {"recognized_on": DAY, "note": "矩阵"}),
    "visit": (Visit, "household", {"visited_on": DAY, "visitor": "王协理员", "way": "home", "record": "矩阵"}),
    "vacancy": (Vacancy, "employer", {"title": "矩阵", "headcount": "2", "published_on": DAY}),
}
MARK = {"unemployment": "note", "hardship": "note", "employment": "post", "service": "note", "zero": "note",
        "visit": "record", "vacancy": "title"}


def record_cases(kind: str) -> tuple[Case, Case]:
    model, _, body = RECORDS[kind]
    mark = {MARK[kind]: "矩阵"}
    create = Case(f"record_new:{kind}", "post", only(302, *LEDGER_EDITORS), body,
                  effect=lambda w: model.objects.filter(**mark).count() == 1, done_by=LEDGER_EDITORS)
    edit = Case(f"record:{kind}", "post", only(302, *LEDGER_EDITORS), body,
                effect=lambda w: model.objects.filter(pk=obj(w, f"record_{kind}"), **mark).exists(),
                done_by=LEDGER_EDITORS)
    return create, edit


def upload_body(w: World) -> dict:
    return {"file": SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4\n%%EOF\n"), "title": "会议纪要"}


def revoke_body(w: World) -> dict:
    return {"action": "revoke", "reason": "矩阵摘牌", "document": SimpleUploadedFile("摘牌决定.pdf", b"%PDF-1.4\n%%EOF\n")}


def import_body(w: World) -> dict:
    return {"kind": "persons", "community": w.cast.community.pk, "file": person_file()}


TRANSITION_COMMENT = {"comment": "请补充第 1.1 项的证明材料", "lines": ["1.1"]}

# url name -> cases. Each case runs for every role of ROLES.
MATRIX: dict[str, list[Case]] = {
    "home": [Case("none", "get", EVERYONE)],
    "help": [Case("none", "get", EVERYONE)],
    "healthz": [Case("none", "get", per_role(200, anonymous=200))],
    "login": [Case("none", "get", per_role(302, anonymous=200))],
    "logout": [Case("none", "post", per_role(302, anonymous=302))],
    "password_change": [Case("none", "get", EVERYONE)],
    "standards:current": [Case("none", "get", EVERYONE)],
    "standards:detail": [Case("version", "get", EVERYONE)],
    # orgs: the city administrator manages units and accounts (the target account is the cast operator).
    "orgs:units": [Case("none", "get", CITY_ADMIN_ONLY)],
    "orgs:import": [Case("none", "get", CITY_ADMIN_ONLY)],
    "orgs:import_template": [Case("none", "get", CITY_ADMIN_ONLY)],
    "orgs:users": [Case("none", "get", CITY_ADMIN_ONLY)],
    # The community picker's suggestions: every role, each limited to its own scope (tests/orgs).
    "orgs:community_options": [Case("none", "get", EVERYONE)],
    "orgs:user_create": [Case("none", "get", CITY_ADMIN_ONLY)],
    # Units in the product (the cast community: bound accounts keep it from being retired: the Chinese
    # error, redirected back to the unit). The unit search of the pickers: every role, within its scope.
    "orgs:unit_create": [Case("none", "get", CITY_ADMIN_ONLY)],
    "orgs:unit_detail": [Case("unit", "get", CITY_ADMIN_ONLY)],
    "orgs:unit_edit": [Case("unit", "get", CITY_ADMIN_ONLY)],
    "orgs:unit_retire": [Case("unit", "post", per_role(403, city_admin=302), {"reason": "矩阵"})],
    "orgs:unit_restore": [Case("unit", "post", per_role(403, city_admin=302))],
    "orgs:unit_options": [Case("none", "get", EVERYONE)],
    "orgs:user_detail": [Case("user", "get", only(200, "city_admin"))],
    "orgs:user_reset_password": [Case("user", "post", only(302, "city_admin"))],
    "orgs:user_deactivate": [
        Case("user", "post", only(302, "city_admin"),
             effect=lambda w: not User.objects.get(pk=w.cast.operator.pk).is_active,
             done_by=("city_admin",)),
    ],
    "orgs:user_reactivate": [Case("user", "post", only(302, "city_admin"))],
    # Lifting a log-in lock-out (with none to lift: the Chinese error, redirected back to the account).
    "orgs:user_unlock": [Case("user", "post", only(302, "city_admin"))],
    # ---- evaluations: the sheet, its inline saves and its workflow
    "evaluations:list": [Case("none", "get", EVERYONE)],
    "evaluations:detail": [
        Case("sheet:draft", "get", SCOPED),
        Case("sheet:city_reviewed", "get", SCOPED),
        Case("other_sheet", "get", OTHER_UNIT),
    ],
    "evaluations:save_line": [
        Case("line:draft:self", "post", only(200, "community_operator"), {"score": "4"},
             effect=line_saved("draft", "self"), done_by=("community_operator",)),
        Case("line:county_reviewing:county", "post", only(200, "county_reviewer"),
             {"score": "4", "reason": "台帐缺两户走访记录"},
             effect=line_saved("county_reviewing", "county"), done_by=("county_reviewer",)),
        Case("line:city_reviewing:city", "post", only(200, *CITY_REVIEW), {"score": "4", "reason": "复核扣分"},
             effect=line_saved("city_reviewing", "city"), done_by=CITY_REVIEW),
        # 西华一社区's draft: its own operator fills it; the cast's units do not see it.
        Case("other_line", "post", per_role(404, city_reviewer=403, city_admin=403, outsider=200,
                                            other_county_reviewer=403), {"score": "4"},
             effect=lambda w: LineScore.objects.filter(evaluation_id=w.other_sheet.pk, line_id="1.2").exists(),
             done_by=("outsider",)),
    ],
    # Everyone with edit_facts reaches the service; it lets only the stage's own level change the answer
    # (a domain message in a 200 fragment for the others, as the sheet's other state checks do).
    "evaluations:save_fact": [
        Case(f"fact:{name}", "post", per_role(200, street_viewer=403, **OUT), {"value": "否"},
             effect=fact_saved(name), done_by=roles)
        for name, roles in [("draft", ("community_operator",)), ("county_reviewing", ("county_reviewer",)),
                            ("city_reviewing", CITY_REVIEW)]
    ],
    "evaluations:save_innovation": [
        Case("sheet:draft", "post", only(200, "community_operator"), {"innovation_text": "矩阵：就业驿站进小区"},
             effect=lambda w: sheet(w, "draft").innovation_text == "矩阵：就业驿站进小区",
             done_by=("community_operator",)),
    ],
    "evaluations:transition": [
        transition("draft", "submit", State.SUBMITTED, ("community_operator",)),
        transition("submitted", "county_start", State.COUNTY_REVIEWING, ("county_reviewer",)),
        transition("submitted", "county_return", State.DRAFT, ("county_reviewer",), TRANSITION_COMMENT),
        transition("county_reviewing", "county_pass", State.COUNTY_PASSED, ("county_reviewer",)),
        transition("county_passed", "city_start", State.CITY_REVIEWING, CITY_REVIEW),
        transition("county_passed", "city_return", State.COUNTY_REVIEWING, CITY_REVIEW, TRANSITION_COMMENT),
        transition("city_reviewing", "city_complete", State.CITY_REVIEWED, CITY_REVIEW),
        # Publication starts from 公示中; the world's notice has ended but its case is open, so the service
        # refuses with a message (302 for the roles allowed, no effect; tests/announcements publish).
        Case("transition:notice:publish", "post", only(302, *CITY_REVIEW),
             effect=state_is("notice", State.PUBLISHED), done_by=()),
        # The notice's own steps are not the sheet's: refused with a message for the city, 403 for the rest.
        Case("transition:city_reviewed:start_notice", "post", only(302, "city_admin"),
             effect=state_is("city_reviewed", State.NOTICE), done_by=()),
        transition("published", "reopen", State.CITY_REVIEWING, ("city_admin",), {"comment": "复核发现计分错误"}),
    ],
    # Adopting the lower stage's scores: the reviewer of the stage being edited, nobody else.
    "evaluations:adopt": [
        Case("sheet:county_reviewing", "post", only(302, "county_reviewer"), {"scope": "all"}),
        Case("sheet:city_reviewing", "post", only(302, *CITY_REVIEW), {"scope": "section:一"}),
    ],
    # Answering a return: only the level a return went to, while it is open (none is open here).
    "evaluations:answer_return": [
        Case("evidence_line:draft", "post", only(403), {"reply": "已补充"}),
    ],
    # No object in the URL: the role answers first (403); sheets outside the unit are skipped silently.
    "evaluations:bulk": [
        Case("none", "post", per_role(403, county_reviewer=302, other_county_reviewer=302),
             lambda w: {"action": "county_start", "ids": [w.sheets["submitted"].pk]},
             effect=state_is("submitted", State.COUNTY_REVIEWING), done_by=("county_reviewer",)),
        Case("none", "post", per_role(403, city_reviewer=302, city_admin=302),
             lambda w: {"action": "publish", "ids": [w.sheets["notice"].pk]},
             effect=state_is("notice", State.PUBLISHED), done_by=()),
    ],
    # Periods are the city's: no unit scope, the role decides.
    "evaluations:periods": [Case("none", "get", CITY_ADMIN_ONLY)],
    "evaluations:period_create": [
        Case("none", "get", CITY_ADMIN_ONLY),
        Case("none", "post", per_role(403, city_admin=302),
             lambda w: {"year": 2031, "standard": w.standard.pk, "star_bands": "五星 95\n四星 90\n三星 85",
                        "score_step": "0.5", "communities": [w.cast.community.pk]},
             effect=lambda w: Period.objects.filter(year=2031).exists(), done_by=("city_admin",)),
    ],
    "evaluations:period_edit": [
        Case("period:draft", "get", CITY_ADMIN_ONLY),
        Case("period:draft", "post", per_role(403, city_admin=302), lambda w: period_body(w, "矩阵改名"),
             effect=lambda w: Period.objects.filter(name="矩阵改名").exists(), done_by=("city_admin",)),
    ],
    # Current / close / reopen / delete (issue 12): the administrator's, confirmed in the page, audited.
    "evaluations:period_action": [
        Case("period_action:draft:close", "post", per_role(403, city_admin=302),
             effect=lambda w: not Period.objects.get(pk=w.sheets["draft"].period_id).is_open,
             done_by=("city_admin",)),
    ],
    # evidence, compare, history (evaluations.urls)
    "evaluations:evidence": [Case("evidence_line:draft", "get", SCOPED)],
    # upload_evidence: not the street; the service then lets each level add only in its own state.
    "evaluations:evidence_upload": [
        Case(f"evidence_line:{name}", "post", per_role(302, street_viewer=403, **OUT), upload_body,
             effect=lambda w, name=name: Evidence.objects.filter(evaluation_id=w.sheets[name].pk,
                                                                 title="会议纪要").exists(),
             done_by=roles)
        for name, roles in [("draft", ("community_operator",)), ("county_reviewing", ("county_reviewer",)),
                            ("city_reviewing", CITY_REVIEW)]
    ],
    "evaluations:evidence_download": [Case("revision", "get", SCOPED)],
    # Each level deletes only what its own unit added (the community's file here), and only in its state.
    "evaluations:evidence_delete": [
        Case("evidence_item", "post", per_role(302, street_viewer=403, **OUT),
             effect=lambda w: Evidence.objects.get(pk=w.evidence_id).is_deleted, done_by=("community_operator",)),
    ],
    # Which lines one file backs: as deleting, the uploading unit in its own state.
    "evaluations:evidence_lines": [
        Case("evidence_item", "post", per_role(302, street_viewer=403, **OUT), {"lines": "1.1、1.2", "line": "1.1"},
             effect=lambda w: EvidenceLine.objects.filter(evidence_id=w.evidence_id, line_id="1.2").exists(),
             done_by=("community_operator",)),
    ],
    "evaluations:innovation": [
        Case("sheet:draft", "post", only(302, "community_operator"), {"innovation_text": "矩阵：零工驿站"},
             effect=lambda w: sheet(w, "draft").innovation_text == "矩阵：零工驿站",
             done_by=("community_operator",)),
    ],
    "evaluations:compare": [Case("sheet:city_reviewed", "get", SCOPED)],
    "evaluations:history": [Case("sheet:city_reviewed", "get", SCOPED)],
    # ---- announcements: 公示 and objections are the city's (no unit scope: the role decides). The world's
    # notice holds the `notice` sheet, its window has ended; its case is assigned to the city reviewer.
    "announcements:index": [Case("none", "get", per_role(403, **CITY_STAFF))],
    "announcements:start": [
        Case("period:city_reviewed", "get", CITY_ADMIN_ONLY),
        Case("period:city_reviewed", "post", per_role(403, city_admin=302),
             lambda w: {"start_on": date.today().isoformat(), "working_days": "5", "how_to_object": "来电来信",
                        "confirm": "1"},
             effect=state_is("city_reviewed", State.NOTICE), done_by=("city_admin",)),
    ],
    "announcements:detail": [Case("obj:notice", "get", per_role(403, **CITY_STAFF))],
    # Continue an interrupted start: the administrator (the matrix's notice has started: nothing to do).
    "announcements:resume_start": [Case("obj:notice", "post", per_role(403, city_admin=302))],
    # The window has ended: the form answers with the refusal (200) for city staff.
    "announcements:objection_create": [
        Case("obj:notice", "get", per_role(403, **CITY_STAFF)),
        Case("obj:notice", "post", per_role(403, **CITY_STAFF),
             {"channel": "phone", "objector": "张先生", "contact": "13900002222", "content": "反映台帐记录与实际不符"},
             effect=lambda w: Objection.objects.filter(objector="张先生").exists(), done_by=()),
    ],
    "announcements:case": [
        Case("obj:objection", "get", per_role(403, **CITY_STAFF)),
    ],
    "announcements:case_assign": [
        Case("obj:objection", "post", per_role(403, city_admin=302), lambda w: {"assignee": w.cast.city_admin.pk},
             effect=lambda w: Objection.objects.get(pk=obj(w, "objection")).assignee_id == w.cast.city_admin.pk,
             done_by=("city_admin",)),
    ],
    # Notes, files and the decision: the case's assignee (the city reviewer) and the administrator.
    "announcements:case_note": [
        Case("obj:objection", "post", per_role(403, city_reviewer=302, city_admin=302), {"text": "矩阵：电话回访"},
             effect=lambda w: CaseNote.objects.filter(text="矩阵：电话回访").exists(), done_by=CITY_REVIEW),
    ],
    "announcements:case_file": [
        Case("obj:objection", "post", per_role(403, city_reviewer=302, city_admin=302),
             lambda w: {"file": SimpleUploadedFile("矩阵.pdf", b"%PDF-1.4\n%%EOF\n")},
             effect=lambda w: CaseFile.objects.filter(original_name="矩阵.pdf").exists(), done_by=CITY_REVIEW),
    ],
    "announcements:case_file_download": [Case("case_file", "get", per_role(403, **CITY_STAFF))],
    "announcements:case_decide": [
        Case("obj:objection", "post", per_role(403, city_reviewer=302, city_admin=302),
             {"decision": "dismissed", "reasons": "经核查，反映情况不属实"},
             effect=lambda w: Objection.objects.get(pk=obj(w, "objection")).status == "closed", done_by=CITY_REVIEW),
    ],
    # Public: no account; only the list, the document and the objection form (closed: the window has ended).
    "announcements:public_index": [Case("none", "get", per_role(200, anonymous=200))],
    "announcements:public": [
        Case("obj:notice", "get", per_role(200, anonymous=200)),
        Case("obj:notice", "post", per_role(200, anonymous=200), {"contact": "13900003333", "content": "反映该社区公示材料与实际不符"},
             effect=lambda w: Objection.objects.filter(contact="13900003333").exists(), done_by=()),
    ],
    "announcements:document": [Case("notice_doc", "get", per_role(200, anonymous=200))],
    # ---- ledgers: lists are scoped to the user's unit; every role reads, the operator and the admin write.
    "ledgers:index": [Case("none", "get", EVERYONE)],
    "ledgers:persons": [Case("none", "get", EVERYONE)],
    "ledgers:households": [Case("none", "get", EVERYONE)],
    # Refused cross-community registrations: the county and city levels only (any county: no object).
    "ledgers:duplicates": [Case("none", "get", per_role(
        403, county_reviewer=200, other_county_reviewer=200, city_reviewer=200, city_admin=200))],
    "ledgers:employers": [Case("none", "get", EVERYONE)],
    # ---- verification: pages without an object; the object pages' table is tests/verification/test_permissions.py.
    "verification:index": [Case("none", "get", EVERYONE)],
    "verification:help": [Case("none", "get", EVERYONE)],
    "verification:references": [Case("none", "get", per_role(
        403, county_reviewer=200, other_county_reviewer=200, city_reviewer=200, city_admin=200))],
    "verification:reconcile_city": [Case("none", "post", per_role(
        403, county_reviewer=302, other_county_reviewer=302, city_reviewer=302, city_admin=302))],
    "ledgers:complaints": [Case("none", "get", EVERYONE)],
    # Create pages name the community (?community=, as the list links do); the outsider's choice of a
    # community outside its unit answers 404, roles without edit_ledger 403.
    "ledgers:person_create": [
        Case("none", "get", create_page(200), query="community"),
        Case("none", "post", create_page(302), new_person_body,
             effect=lambda w: Person.objects.filter(name="新登记丁").exists(), done_by=LEDGER_EDITORS),
    ],
    "ledgers:person_detail": [Case("obj:person", "get", SCOPED), Case("obj:other_person", "get", OTHER_UNIT)],
    "ledgers:person_edit": [
        Case("obj:person", "get", only(200, *LEDGER_EDITORS)),
        Case("obj:person", "post", only(302, *LEDGER_EDITORS), lambda w: person_body(w, "矩阵甲改"),
             effect=lambda w: Person.objects.filter(name="矩阵甲改").exists(), done_by=LEDGER_EDITORS),
        # 西华一社区's person: outside the cast's community, street and county (404); the city reviewer and that
        # county's reviewer see it but may not edit (403); its operator and the admin edit it.
        Case("obj:other_person", "post",
             per_role(404, city_reviewer=403, other_county_reviewer=403, city_admin=302, outsider=302),
             lambda w: person_body(w, "西华乙改", "other_person"),
             effect=lambda w: Person.objects.filter(name="西华乙改").exists(), done_by=("city_admin", "outsider")),
    ],
    # Full ID number and phone: ACTION_ROLES["unmask"]; every unmasking is logged.
    "ledgers:person_unmask": [
        Case("obj:person", "post", only(200, "community_operator", "county_reviewer", "city_admin"),
             effect=lambda w: AccessLog.objects.filter(kind="unmask", target=f"person:{obj(w, 'person')}").exists(),
             done_by=("community_operator", "county_reviewer", "city_admin")),
    ],
    # 作废 a person (ACTION_ROLES["void_person"]) and restoring one (["restore_person"]; this one is not
    # voided: the Chinese error, redirected back to the person). A visit without photo: 404 to everyone.
    "ledgers:person_void": [
        Case("obj:person", "post", only(302, "community_operator", "county_reviewer", "city_admin"),
             {"reason": "矩阵"},
             effect=lambda w: Person.all_objects.get(pk=obj(w, "person")).voided_at is not None,
             done_by=("community_operator", "county_reviewer", "city_admin")),
    ],
    "ledgers:person_restore": [
        Case("obj:person", "post", only(302, "county_reviewer", "city_reviewer", "city_admin")),
    ],
    "ledgers:visit_photo": [Case("obj:record_visit", "get", per_role(404))],
    "ledgers:household_create": [
        Case("none", "get", create_page(200), query="community"),
        Case("none", "post", create_page(302),
             lambda w: {"community": w.cast.community.pk, "code": "M009", "head_name": "新户主"},
             effect=lambda w: Household.objects.filter(code="M009").exists(), done_by=LEDGER_EDITORS),
    ],
    "ledgers:household_detail": [Case("obj:household", "get", SCOPED),
                                 Case("obj:other_household", "get", OTHER_UNIT)],
    "ledgers:household_edit": [
        Case("obj:household", "get", only(200, *LEDGER_EDITORS)),
        Case("obj:household", "post", only(302, *LEDGER_EDITORS), {"code": "M001", "head_name": "户主改"},
             effect=lambda w: Household.objects.filter(head_name="户主改").exists(), done_by=LEDGER_EDITORS),
    ],
    "ledgers:employer_create": [
        Case("none", "get", create_page(200), query="community"),
        Case("none", "post", create_page(302),
             lambda w: {"community": w.cast.community.pk, "name": "东华家政服务站"},
             effect=lambda w: Employer.objects.filter(name="东华家政服务站").exists(), done_by=LEDGER_EDITORS),
    ],
    "ledgers:employer_detail": [Case("obj:employer", "get", SCOPED)],
    "ledgers:employer_edit": [
        Case("obj:employer", "get", only(200, *LEDGER_EDITORS)),
        Case("obj:employer", "post", only(302, *LEDGER_EDITORS), {"name": "东华保洁服务公司", "industry": "家政"},
             effect=lambda w: Employer.objects.filter(industry="家政").exists(), done_by=LEDGER_EDITORS),
    ],
    "ledgers:complaint_create": [
        Case("none", "get", create_page(200), query="community"),
        Case("none", "post", create_page(302),
             lambda w: {"community": w.cast.community.pk, "kind": "petition", "received_on": DAY,
                        "summary": "矩阵：咨询社保补贴"},
             effect=lambda w: Complaint.objects.filter(summary="矩阵：咨询社保补贴").exists(),
             done_by=LEDGER_EDITORS),
    ],
    "ledgers:complaint_edit": [
        Case("obj:complaint", "get", only(200, *LEDGER_EDITORS)),
        Case("obj:complaint", "post", only(302, *LEDGER_EDITORS),
             {"kind": "complaint", "received_on": "2025-03-01", "summary": "窗口排队时间长", "handling": "已增设窗口"},
             effect=lambda w: Complaint.objects.filter(handling="已增设窗口").exists(), done_by=LEDGER_EDITORS),
    ],
    "ledgers:record_create": [
        Case("record_new:unemployment", "get", only(200, *LEDGER_EDITORS)),
        *(record_cases(kind)[0] for kind in RECORDS),
    ],
    "ledgers:record_edit": [
        Case("record:visit", "get", only(200, *LEDGER_EDITORS)),
        *(record_cases(kind)[1] for kind in RECORDS),
    ],
    "ledgers:import": [
        # The page lists the user's own unit's jobs: every operator and the admin; the upload names the community.
        Case("none", "get", per_role(403, community_operator=200, city_admin=200, outsider=200)),
        Case("none", "post", create_page(302), import_body,
             effect=lambda w: ImportJob.objects.filter(community=w.cast.community).count() == 2,
             done_by=LEDGER_EDITORS),
    ],
    "ledgers:import_detail": [Case("obj:import", "get", SCOPED), Case("obj:other_import", "get", OTHER_UNIT)],
    "ledgers:import_apply": [
        Case("obj:import", "post", only(302, *LEDGER_EDITORS),
             effect=lambda w: ImportJob.objects.get(pk=obj(w, "import")).status == ImportJob.Status.APPLIED,
             done_by=LEDGER_EDITORS),
    ],
    # A blank template holds no personal data; every role may fetch one (sensitive columns by role).
    "ledgers:import_template": [Case("kind:persons", "get", EVERYONE)],
    # The world's import is clean: it has no error workbook (tests/ux/test_excel.py covers a failed one).
    "ledgers:import_errors": [Case("obj:import", "get", per_role(404))],
    # ACTION_ROLES["export"]: everyone, of their own unit's rows, masked unless the role may unmask.
    "ledgers:export": [Case("kind:persons", "get", EVERYONE), Case("kind:persons", "get", EVERYONE, {"format": "csv"}),
                       Case("kind:hardship", "get", EVERYONE, {"full": "1"})],
    "ledgers:evaluation_facts": [Case("sheet:submitted", "get", SCOPED)],
    "ledgers:refresh_facts": [
        Case("sheet:submitted", "post", only(302, "county_reviewer", *CITY_REVIEW),
             effect=lambda w: FactSnapshot.objects.filter(evaluation_id=w.sheets["submitted"].pk,
                                                          reason="refresh").exists(),
             done_by=("county_reviewer", *CITY_REVIEW)),
    ],
    "ledgers:fact_records": [Case("fact_records:submitted", "get", SCOPED)],
    # ---- reports
    "reports:index": [Case("none", "get", EVERYONE)],
    "reports:form_print": [Case("sheet:city_reviewed", "get", SCOPED)],
    "reports:form_download": [Case("sheet_xlsx:city_reviewed", "get", SCOPED)],
    "reports:export": [Case("export_summary", "get", EVERYONE)],
    "reports:dashboard": [Case("dashboard", "get", EVERYONE)],
    "reports:ledger_stats": [Case("none", "get", EVERYONE)],
    # ---- background jobs: its owner follows a job; a shared one (an import) also everyone whose unit holds
    # the job's community; to anyone else it does not exist (404). Only a finished job with a file downloads.
    "jobs:list": [Case("none", "get", EVERYONE)],
    # The inbox holds the user's own messages only: another user's message is not found.
    "inbox:index": [Case("none", "get", EVERYONE)],
    "inbox:open": [
        Case("operator_message", "post", per_role(404, community_operator=302),
             effect=lambda w: Message.objects.filter(recipient=w.cast.operator, read_at__isnull=False).exists(),
             done_by=("community_operator",)),
    ],
    "inbox:read": [Case("none", "post", per_role(302))],
    "jobs:detail": [Case("obj:import_job", "get", SCOPED),
                    Case("obj:export_job", "get", per_role(404, community_operator=200))],
    "jobs:progress": [Case("obj:import_job", "get", SCOPED),
                      Case("obj:export_job", "get", per_role(404, community_operator=200))],
    "jobs:download": [Case("obj:import_job", "get", per_role(404)),
                      Case("obj:export_job", "get", per_role(404, community_operator=200))],
    # ACTION_ROLES["export"]: everyone may have the filled forms of their own unit made (a job of their own).
    "reports:form_batch": [
        Case("none", "post", per_role(302), {"fmt": "zip"}, done_by=AUTHENTICATED, effect_takes_role=True,
             effect=lambda w, role: Job.objects.filter(kind="forms_zip", owner=user_of(w, role)).exists()),
    ],
    # ---- register (issue 14): the star register, appeals, the innovation line's expert panel
    "register:index": [Case("none", "get", EVERYONE)],
    "register:national": [Case("none", "get", EVERYONE)],
    "register:appeals": [Case("none", "get", EVERYONE)],
    # ACTION_ROLES["export"]: everyone has the register of their own unit made (a job of their own).
    "register:export": [
        Case("none", "post", per_role(302), {"fmt": "xlsx"}, done_by=AUTHENTICATED, effect_takes_role=True,
             effect=lambda w, role: Job.objects.filter(kind="register_export", owner=user_of(w, role)).exists()),
    ],
    "register:award": [Case("obj:award", "get", SCOPED)],
    "register:award_document": [Case("obj:award_change", "get", SCOPED)],
    "register:community": [Case("community", "get", SCOPED)],
    # ACTION_ROLES["manage_register"]: the city administrator revokes, with reasons and a document.
    "register:award_change": [
        Case("obj:award", "post", only(302, "city_admin"), revoke_body,
             effect=lambda w: Award.objects.get(pk=obj(w, "award")).status == "revoked", done_by=("city_admin",)),
    ],
    "register:appeal": [Case("obj:appeal", "get", SCOPED)],
    "register:appeal_file": [Case("obj:appeal_file", "get", SCOPED)],
    # ACTION_ROLES["appeal"]: the community's operator (the world's sheet already has an open appeal: the
    # page shows why no second one may be filed).
    "register:appeal_new": [Case("sheet:published", "get", only(200, "community_operator"))],
    # ACTION_ROLES["decide_appeal"], and the reviewer must not have worked on the sheet: in the world the
    # city reviewer did the city review and the administrator published, so both are refused (no effect).
    "register:appeal_decide": [
        Case("appeal_step:keep", "post", only(302, *CITY_REVIEW), {"decision": "矩阵维持"},
             effect=lambda w: Appeal.objects.get(pk=obj(w, "appeal")).status == "kept", done_by=()),
    ],
    # ACTION_ROLES["manage_panel"]: the city organises the panel and adopts its mean.
    "register:panel": [Case("sheet:city_reviewing", "get", only(200, *CITY_REVIEW))],
    "register:panel_adopt": [Case("sheet:city_reviewing", "post", only(302, *CITY_REVIEW))],
    # ACTION_ROLES["rate_panel"]: raters; a rating page is its rater's alone (anyone else: 404).
    "register:panel_mine": [Case("none", "get", per_role(403, county_reviewer=200, city_reviewer=200,
                                                          other_county_reviewer=200))],
    "register:panel_rate": [Case("obj:panel_rating", "get", per_role(
        403, city_reviewer=200, county_reviewer=404, other_county_reviewer=404))],
    "register:rules": [Case("period:published", "get", CITY_ADMIN_ONLY)],
    "register_public:index": [Case("none", "get", per_role(200, anonymous=200))],
    # ---- api token management page (the /api/ endpoints authenticate with tokens: tests/api)
    "api:tokens": [Case("none", "get", per_role(200, street_viewer=403))],
    # A token is its owner's alone: someone else's answers 404, as DELETE /api/tokens/{id} does.
    "api:token_revoke": [
        Case("own_token", "post", per_role(302), effect=lambda w, role: own_token_revoked(w, role),
             done_by=AUTHENTICATED, effect_takes_role=True),
        Case("operator_token", "post", per_role(404, community_operator=302),
             effect=lambda w: token_of(w, "t_operator").revoked_at is not None, done_by=("community_operator",)),
    ],
}

# Cells where today's code answers otherwise than the rule: (url name, case index, role) -> (code's status,
# why). They run as strict xfails and are reported to the owners of the views.
KNOWN_DEVIATIONS: dict[tuple[str, int, str], tuple[int, str]] = {}

# URLs deliberately outside this table, each with the reason; everything else must have rows.
NOT_IN_MATRIX_PREFIXES = {
    "admin:": "Django admin: staff only; no cast user is staff (test_admin_is_staff_only)",
    "api:v1:": "token-authenticated JSON API, covered by its own permission tests in tests/api",
}
# Object pages of the verification app: their literal table (role, url, method, status) is
# tests/verification/test_permissions.py, on objects of its own (draws, checks, reference sources).
NOT_YET_IN_MATRIX: set[str] = {
    "verification:community", "verification:draw", "verification:report", "verification:county_report",
    "verification:draw_detail", "verification:check", "verification:check_outcome", "verification:photo",
    "verification:source_edit", "verification:reconcile", "verification:reconcile_xlsx",
}


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


def test_every_named_url_is_in_the_matrix():
    missing = sorted(
        name
        for name in named_urls()
        if name not in MATRIX
        and name not in NOT_YET_IN_MATRIX
        and not name.startswith(tuple(NOT_IN_MATRIX_PREFIXES))
    )
    assert not missing, f"URLs without rows in the permission matrix: {missing}"
    stale = sorted(set(MATRIX) - named_urls())
    assert not stale, f"matrix rows for URLs that no longer exist: {stale}"


def test_matrix_is_well_formed():
    for name, cases in MATRIX.items():
        for case in cases:
            assert set(case.expected) == set(ROLES), name
            assert set(case.done_by) <= set(ROLES), name
    for (name, index, role), (status, why) in KNOWN_DEVIATIONS.items():
        assert role in ROLES and index < len(MATRIX[name]) and why, (name, index, role)
        assert MATRIX[name][index].expected[role] != status, "a deviation must differ from the rule"


def _param(name: str, index: int, case: Case, role: str):
    deviation = KNOWN_DEVIATIONS.get((name, index, role))
    marks = [pytest.mark.xfail(strict=True, reason=f"code answers {deviation[0]}: {deviation[1]}")] if deviation else []
    return pytest.param(name, index, role, id=f"{name}-{index}-{case.method}-{role}", marks=marks)


ROWS = [_param(name, i, case, role) for name, cases in MATRIX.items() for i, case in enumerate(cases) for role in ROLES]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; each test runs in a
    savepoint of it (pytest-django's per-test atomic), so the rows cannot see each other's changes."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def user_of(world: World, role: str):
    return None if role == "anonymous" else world.cast.users_by_role()[role]


def url_args(target: str, world: World, role: str) -> list:
    kind, _, rest = target.partition(":")
    parts = rest.split(":") if rest else []
    user = user_of(world, role)
    match kind:
        case "none":
            return []
        case "version":
            return [world.standard.version]
        case "user":
            return [world.cast.operator.pk]
        case "unit":
            return [world.cast.community.pk]
        case "sheet":
            return [world.sheets[parts[0]].pk]
        case "other_sheet":
            return [world.other_sheet.pk]
        case "sheet_xlsx":
            return [world.sheets[parts[0]].pk, "xlsx"]
        case "period":
            return [world.sheets[parts[0]].period_id]
        case "line":
            return [world.sheets[parts[0]].pk, "1.2", parts[1]]
        case "other_line":
            return [world.other_sheet.pk, "1.2", "self"]
        case "fact":
            return [world.sheets[parts[0]].pk, "appraisal_system"]
        case "transition":
            return [world.sheets[parts[0]].pk, parts[1]]
        case "evidence_line":
            return [world.sheets[parts[0]].pk, "1.1"]
        case "revision":
            return [world.sheets["draft"].pk, world.revision_id]
        case "evidence_item":
            return [world.sheets["draft"].pk, world.evidence_id]
        case "period_action":
            return [world.sheets[parts[0]].period_id, parts[1]]
        case "operator_message":
            message, _ = Message.objects.get_or_create(recipient=world.cast.operator, title="矩阵消息",
                                                       defaults={"link": "/"})
            return [message.pk]
        case "export_summary":
            return ["summary", "xlsx"]
        case "dashboard":
            return ["progress"]
        case "obj":
            return [world.objects[parts[0]]]
        case "case_file":
            return [world.objects["objection"], world.objects["case_file"]]
        case "notice_doc":
            return [world.objects["notice"], "docx"]
        case "record_new":
            return [parts[0], world.objects[RECORDS[parts[0]][1]]]
        case "record":
            return [parts[0], world.objects[f"record_{parts[0]}"]]
        case "kind":
            return [parts[0]]
        case "community":
            return [world.cast.community.pk]
        case "appeal_step":
            return [world.objects["appeal"], parts[0]]
        case "fact_records":
            return [world.sheets[parts[0]].pk, "households_to_visit"]
        case "own_token":
            return [world.tokens[(user or world.cast.operator).username]]
        case "operator_token":
            return [world.tokens[world.cast.operator.username]]
    raise KeyError(target)


def own_token_revoked(world: World, role: str) -> bool:
    user = user_of(world, role) or world.cast.operator
    return token_of(world, user.username).revoked_at is not None


@pytest.mark.parametrize(("name", "index", "role"), ROWS)
def test_permission_matrix(client, world, db, name, index, role):
    case = MATRIX[name][index]
    expected = case.expected[role]
    user = user_of(world, role)
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=url_args(case.target, world, role))
    if case.query == "community":
        url += f"?community={world.cast.community.pk}"
    data = case.data(world) if callable(case.data) else dict(case.data or {})
    response = getattr(client, case.method)(url, data)
    shown = f"{case.method.upper()} {url} as {role}: {response.status_code}"
    if role == "anonymous" and expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], shown
    elif isinstance(expected, frozenset):
        assert response.status_code in expected, shown
        assert "/accounts/login/" not in response.get("Location", ""), shown
    else:
        assert response.status_code == expected, shown
        if expected == 302 and role != "anonymous" and name != "logout":
            assert "/accounts/login/" not in response["Location"], shown
    if case.effect is not None:
        happened = case.effect(world, role) if case.effect_takes_role else case.effect(world)
        assert happened is (role in case.done_by), f"{shown}: effect {'missing' if role in case.done_by else 'happened'}"


def test_admin_is_staff_only(client, world, db):
    for user in world.cast.users_by_role().values():
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_sheets_are_in_their_states(world, db):
    assert {name: ev.state for name, ev in world.sheets.items()} == {name: name for name in SHEETS}
