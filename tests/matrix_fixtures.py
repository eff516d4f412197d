"""Objects the permission matrix (tests/test_permission_matrix.py) needs, built once per module.

Everything belongs to the cast's community (东华一社区) unless its name says `other_`: an object of
西华一社区, the outsider's community in another county. Sheets are moved through the real workflow
(evaluations.services), ledgers are written through their models and services, so a row that answers
200/302 really could do its work and a 403/404 is the permission answering.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from announcements import services as notice_service
from announcements.models import CaseStatus, Channel, NoticeEntry, Objection
from api.models import ApiToken
from api.tokens import create_token
from evaluations.facts import checklist_fact_names
from evaluations.models import Evaluation, FactAnswer, LineScore, Stage, State
from evaluations.services import evidence as evidence_service
from evaluations.services import scores as score_service
from evaluations.services import workflow
from evaluations.services.periods import open_period
from ledgers.models import Complaint, Employer, ImportJob, Vacancy
from ledgers.services import check_import
from orgs.scoping import can
from standards.loading import load_file
from standards.models import StandardVersion
from tests.cast import Cast, build_cast
from tests.evaluations.conftest import GOOD_FACTS
from tests.ledgers import factories as lf
from tests.ledgers.xlsx import xlsx

REASON = "按核查情况扣分"
# Sheet name (= its state) -> (year, the workflow actions that bring a fresh sheet there).
# Each sheet is the cast community's, in a period of its own, so every state can be tested at once.
SHEETS: dict[str, tuple[int, list[str]]] = {
    "draft": (2026, []),  # self stage filled, ready to submit
    "submitted": (2025, ["submit"]),
    "county_reviewing": (2024, ["submit", "county_start"]),  # county stage filled, ready to pass
    "county_passed": (2023, ["submit", "county_start", "county_pass"]),
    "city_reviewing": (2022, ["submit", "county_start", "county_pass", "city_start"]),  # city stage filled
    "city_reviewed": (2021, ["submit", "county_start", "county_pass", "city_start", "city_complete"]),
    # start_notice: the period's notice (announcements.services.start_notice), run in the past so its
    # window has ended and publication is not refused for it.
    "notice": (2018, ["submit", "county_start", "county_pass", "city_start", "city_complete", "start_notice"]),
    "published": (2020, ["submit", "county_start", "county_pass", "city_start", "city_complete", "start_notice",
                         "publish"]),
}
# Which stage must be complete before an action.
FILL_BEFORE = {"submit": Stage.SELF, "county_pass": Stage.COUNTY, "city_complete": Stage.CITY}


@dataclass
class World:
    cast: Cast
    standard: StandardVersion
    sheets: dict[str, Evaluation]  # by state name, see SHEETS
    other_sheet: Evaluation  # 西华一社区's sheet in the 2026 period
    revision_id: int
    evidence_id: int
    objects: dict[str, int] = field(default_factory=dict)  # ledger object name -> pk
    tokens: dict[str, int] = field(default_factory=dict)  # username -> pk of their API token


def _fill(cast: Cast, evaluation: Evaluation, stage: str) -> None:
    """Score every line of the stage at its maximum (a reason where the stage asks for one).

    Rows rather than 23 service calls per stage: the transitions that follow run the engine's
    completeness check on them, so an invalid fill fails the fixture."""
    scorer = {Stage.SELF: cast.operator, Stage.COUNTY: cast.county_reviewer, Stage.CITY: cast.city_reviewer}[stage]
    standard = evaluation.period.standard.standard
    LineScore.objects.bulk_create([
        LineScore(evaluation=evaluation, line_id=line.id, stage=stage, score=Decimal(str(line.max)),
                  reason="" if stage == Stage.SELF else REASON, updated_by=scorer)
        for line in standard.stage_lines(stage)
    ])


ACTION_USER = {
    "submit": "operator", "county_start": "county_reviewer", "county_pass": "county_reviewer",
    "city_start": "city_reviewer", "city_complete": "city_reviewer", "publish": "city_admin",
}


def _sheet(cast: Cast, standard: StandardVersion, name: str) -> Evaluation:
    year, actions = SHEETS[name]
    communities = [cast.community, cast.sibling, cast.other_community] if name == "draft" else [cast.community]
    period = open_period(cast.city_admin, year=year, name=f"{year}年度评审", standard=standard,
                         communities=communities, self_deadline=datetime.date(year + 1, 3, 31),
                         county_deadline=datetime.date(year + 1, 4, 30), city_deadline=datetime.date(year + 1, 5, 31))
    ev = Evaluation.objects.get(period=period, community=cast.community)
    checklist = set(checklist_fact_names(standard.standard))
    answers = {fact: value for fact, value in GOOD_FACTS.items() if fact in checklist}
    if name == "draft":  # through the service once; the other sheets get the same answers as rows
        for fact, value in answers.items():
            score_service.answer_fact(ev, cast.operator, fact, value)
    else:
        FactAnswer.objects.bulk_create([FactAnswer(evaluation=ev, name=fact, value=value, answered_by=cast.operator)
                                        for fact, value in answers.items()])
    _fill(cast, ev, Stage.SELF)
    for action in actions:
        stage = FILL_BEFORE.get(action)
        if stage and stage != Stage.SELF:
            _fill(cast, ev, stage)
        if action == "start_notice":
            notice_service.start_notice(period, cast.city_admin, start_on=datetime.date(year + 1, 6, 1),
                                        allow_past=True)
            continue
        workflow.transition(ev, getattr(cast, ACTION_USER[action]), action)
    # The stage the sheet waits for is filled too, so its forward action can succeed.
    following = {"county_reviewing": Stage.COUNTY, "city_reviewing": Stage.CITY}.get(name)
    if following:
        _fill(cast, ev, following)
    ev.refresh_from_db()
    assert ev.state == getattr(State, name.upper()), (name, ev.state)
    return ev


def build_world() -> World:
    cast = build_cast()
    load_file()
    standard = StandardVersion.objects.current()
    sheets = {name: _sheet(cast, standard, name) for name in SHEETS}
    draft = sheets["draft"]
    other_sheet = Evaluation.objects.get(period=draft.period, community=cast.other_community)
    revision = evidence_service.upload(
        draft, cast.operator, "1.1", SimpleUploadedFile("批复.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    world = World(cast=cast, standard=standard, sheets=sheets, other_sheet=other_sheet,
                  revision_id=revision.pk, evidence_id=revision.evidence_id)
    world.objects.update(_ledgers(cast))
    world.objects.update(_objection(cast, sheets["notice"]))
    world.objects.update(_register(cast, sheets))
    for user in cast.users_by_role().values():
        if can(user, "use_api"):
            token, _ = create_token(user, "矩阵测试")
        else:
            # Street viewers may not create tokens; one left from before that rule is still theirs to revoke.
            token = ApiToken.objects.create(user=user, name="矩阵测试", prefix="sct_legacy__", token_hash=user.username)
        world.tokens[user.username] = token.pk
    return world


def _ledgers(cast: Cast) -> dict[str, int]:
    day = datetime.date(2025, 3, 1)
    hh = lf.household(cast.community, code="M001")
    person = lf.person(cast.community, hh, name="矩阵甲", phone="13812345678")
    employer = Employer.objects.create(community=cast.community, name="东华保洁服务公司")
    other_hh = lf.household(cast.other_community, code="W001")
    other_person = lf.person(cast.other_community, other_hh, name="西华乙")
    records = {
        "unemployment": lf.unemployed(person, day),
        "hardship": lf.hardship(person, day),
        "employment": lf.employed(person, day, channel="flexible"),
        "service": lf.service(person, "policy", day),
        "zero": lf.zero(hh, day),
        "visit": lf.visit(hh, day),
        "vacancy": Vacancy.objects.create(employer=employer, title="保洁员", published_on=day),
    }
    complaint = Complaint.objects.create(community=cast.community, kind="complaint", received_on=day,
                                         summary="窗口排队时间长")
    job = check_import(cast.operator, cast.community, "persons", person_file(), True)
    other_job = check_import(cast.outsider, cast.other_community, "persons", person_file(), True)
    assert job.status == ImportJob.Status.CHECKED, job.summary
    out = {
        "household": hh.pk, "person": person.pk, "employer": employer.pk, "complaint": complaint.pk,
        "other_household": other_hh.pk, "other_person": other_person.pk, "import": job.pk,
        "other_import": other_job.pk,
    }
    out.update({f"record_{kind}": obj.pk for kind, obj in records.items()})
    # Jobs: the import's dry run (shared with the community's scope) and the operator's own export.
    from jobs.services import start as start_job

    export_job = start_job("ledger_export", cast.operator, cast.community, "导出人员台帐",
                           {"kind": "persons", "fmt": "csv", "community_id": None, "full": False})
    assert export_job.state == "done", export_job.message
    out.update(import_job=ImportJob.objects.get(pk=job.pk).background_id, export_job=export_job.pk)
    return out


def _objection(cast: Cast, sheet: Evaluation) -> dict[str, int]:
    """The notice of the `notice` sheet (its window has ended) and a case on it, assigned to the cast's
    city reviewer, with one evidence file. Written as rows: the services accept objections only while
    the window is open (tests/announcements)."""
    entry = NoticeEntry.objects.select_related("notice").get(evaluation=sheet)
    case = Objection.objects.create(
        notice=entry.notice, number="YY-M-001", channel=Channel.PHONE, entry=entry, objector="匿名",
        contact="13900001111", content="反映该社区台帐记录与实际不符", received_by=cast.city_admin,
        status=CaseStatus.INVESTIGATING, assignee=cast.city_reviewer)
    upload = notice_service.add_file(case, cast.city_admin, SimpleUploadedFile("回访记录.pdf", b"%PDF-1.4\n%%EOF\n"))
    return {"notice": entry.notice_id, "objection": case.pk, "case_file": upload.pk}


def _register(cast: Cast, sheets: dict[str, Evaluation]) -> dict[str, int]:
    """The register's objects: the published sheet's award (downgraded, with a document), an open appeal
    with a file, and a panel on the sheet under city review (the city reviewer is one of its raters)."""
    from register.models import Award, PanelRating
    from register.services import appeals, awards, panel

    pdf = b"%PDF-1.4\n%%EOF\n"
    award = Award.objects.get(evaluation=sheets["published"])
    awards.change_status(award, cast.city_admin, "downgrade", "矩阵降星", SimpleUploadedFile("降星决定.pdf", pdf),
                         new_star="四星")
    appeal = appeals.file_appeal(sheets["published"], cast.operator, "矩阵复核申请",
                                 [SimpleUploadedFile("说明.pdf", pdf)])
    panel.assign(sheets["city_reviewing"], cast.city_admin, [cast.city_reviewer.pk, cast.other_county_reviewer.pk])
    return {
        "award": award.pk, "award_change": award.changes.get(kind="downgrade").pk, "appeal": appeal.pk,
        "appeal_file": appeal.files.get().pk,
        "panel_rating": PanelRating.objects.get(evaluation=sheets["city_reviewing"], rater=cast.city_reviewer).pk,
    }


def person_file():
    head = ["户编号", "与户主关系", "姓名*", "身份证号*", "联系电话", "有劳动能力", "有就业愿望"]
    return xlsx([head, ["M002", "户主", "导入丙", lf.make_id("19750606"), "", "是", "是"]])


def token_of(world: World, username: str) -> ApiToken:
    return ApiToken.objects.get(pk=world.tokens[username])
