"""Background jobs: progress, Chinese failures, who may follow and download, retention, the queues."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from jobs import services
from jobs.models import Job
from jobs.services import JobFailed, handler
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


@handler("test_counts")
def _counts(context):
    total = int(context.params.get("n", 3))
    for i in range(1, total + 1):
        context.progress(i, total, force=True)
    context.save_result("计数结果.txt", content=f"{total}".encode())
    return f"已数到{total}。"


@handler("test_refuses")
def _refuses(context):
    context.progress(1, 4, force=True)
    raise JobFailed("第3行“身份证号”列：校验位错误")


@handler("test_crashes")
def _crashes(context):
    raise ZeroDivisionError("internal detail")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_job_runs_reports_progress_and_keeps_its_result(client, cast):
    job = services.start("test_counts", cast.operator, cast.community, "计数", {"n": 5})
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.message) == ("done", 5, 5, "已数到5。")
    assert job.started_at and job.finished_at and job.task_id
    login(client, cast.operator)
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"5"
    assert "%E8%AE%A1%E6%95%B0%E7%BB%93%E6%9E%9C.txt" in response["Content-Disposition"]
    page = client.get(reverse("jobs:list")).content.decode()
    assert "计数" in page and "已完成" in page and reverse("jobs:download", args=[job.pk]) in page


def test_failures_show_their_chinese_message(client, cast):
    refused = services.start("test_refuses", cast.operator, cast.community, "校验")
    crashed = services.start("test_crashes", cast.operator, cast.community, "出错")
    login(client, cast.operator)
    page = client.get(reverse("jobs:progress", args=[refused.pk])).content.decode()
    assert 'data-state="failed"' in page and "第3行“身份证号”列：校验位错误" in page and "hx-get" not in page
    page = client.get(reverse("jobs:progress", args=[crashed.pk])).content.decode()
    assert services.GENERIC_FAILURE in page and "internal detail" not in page and "ZeroDivision" not in page
    assert client.get(reverse("jobs:download", args=[refused.pk])).status_code == 404


def test_a_running_job_polls_and_the_finished_one_reloads_its_page(client, cast):
    job = Job.objects.create(kind="test_counts", title="计数", owner=cast.operator, unit=cast.community,
                             state=Job.State.RUNNING, done=30, total=120)
    login(client, cast.operator)
    url = reverse("jobs:progress", args=[job.pk])
    page = client.get(url + "?reload=1", headers={"HX-Request": "true"})
    body = page.content.decode()
    assert 'hx-trigger="every 1s"' in body and "30 / 120" in body and 'aria-valuenow="25"' in body
    assert "HX-Refresh" not in page
    Job.objects.filter(pk=job.pk).update(state=Job.State.DONE, message="完成。")
    page = client.get(url + "?reload=1", headers={"HX-Request": "true"})
    assert page["HX-Refresh"] == "true" and "hx-get" not in page.content.decode()
    # Leaving and coming back: the detail page shows the same bar.
    assert "完成。" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()


# Who may follow a job (literal table): the owner always; a shared job (an import) also everyone whose
# scope holds its unit; a private job (an export made for its owner's role) nobody else.
FOLLOW = [
    # (shared, user, may follow)
    (False, "operator", True),
    (False, "county_reviewer", False),
    (False, "city_admin", False),
    (False, "outsider", False),
    (True, "operator", True),
    (True, "street_viewer", True),
    (True, "county_reviewer", True),
    (True, "city_reviewer", True),
    (True, "city_admin", True),
    (True, "outsider", False),
    (True, "other_county_reviewer", False),
]


@pytest.mark.parametrize("shared,who,allowed", FOLLOW)
def test_who_may_follow_and_download(client, cast, shared, who, allowed):
    job = services.start("test_counts", cast.operator, cast.community, "计数", shared=shared)
    login(client, getattr(cast, who))
    for name in ("jobs:detail", "jobs:progress", "jobs:download"):
        status = client.get(reverse(name, args=[job.pk])).status_code
        assert status == (200 if allowed else 404), (name, status)
    listed = "计数" in client.get(reverse("jobs:list")).content.decode()
    assert listed == (who == "operator")  # 我的任务 lists one's own jobs only


def test_prune_removes_old_results_and_fails_jobs_left_running(client, cast):
    old = services.start("test_counts", cast.operator, cast.community, "旧结果")
    new = services.start("test_counts", cast.operator, cast.community, "新结果")
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))
    stuck = Job.objects.create(kind="test_counts", title="卡住", owner=cast.operator, unit=cast.community,
                               state=Job.State.RUNNING, started_at=timezone.now() - timedelta(hours=7))
    old_file = services.results_root() / Job.objects.get(pk=old.pk).result_path
    assert old_file.is_file()
    call_command("prune_jobs", "--days", "7", stdout=open(os.devnull, "w"))
    assert not old_file.exists()
    old.refresh_from_db(), new.refresh_from_db(), stuck.refresh_from_db()
    assert old.expired and not old.has_result and new.has_result
    assert stuck.state == "failed" and stuck.message == services.INTERRUPTED
    login(client, cast.operator)
    assert client.get(reverse("jobs:download", args=[old.pk])).status_code == 404
    assert "已过保留期" in client.get(reverse("jobs:progress", args=[old.pk])).content.decode()
    assert client.get(reverse("jobs:download", args=[new.pk])).status_code == 200


DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_command_runs_a_queued_job(cast):
    with override_settings(TASKS=DB_QUEUE):
        job = services.start("test_counts", cast.operator, cast.community, "计数", {"n": 4})
        assert job.state == "queued"  # nothing runs in the request
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "default")
    job.refresh_from_db()
    assert (job.state, job.done, job.message) == ("done", 4, "已数到4。") and job.has_result


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_queue_fails_the_job_visibly(cast):
    queue = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=queue, RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:1/0"}}):
        job = services.start("test_counts", cast.operator, cast.community, "计数")
    assert job.state == "failed" and job.message == services.QUEUE_DOWN


def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.mark.django_db(transaction=True)
def test_the_redis_queue_runs_a_job(cast, settings):
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if not _redis_up(url):
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {url} (CI must run the Redis queue test)")
        pytest.skip("Redis is not running here")
    name = f"test-{uuid.uuid4().hex[:8]}"  # a queue of this run only
    queue = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    with override_settings(TASKS=queue, RQ_QUEUES={name: {"URL": url}}):
        from jobs.tasks import run_job

        job = Job.objects.create(kind="test_counts", title="计数", owner=cast.operator, unit=cast.community,
                                 params={"n": 6})
        run_job.using(queue_name=name).enqueue(job.pk)
        job.refresh_from_db()
        assert job.state == "queued"
        # rq's SimpleWorker runs the job in this process (the test database is in memory).
        call_command("rqworker", name, "--burst", "--job-class", "django_tasks_rq.Job",
                     "--worker-class", "rq.worker.SimpleWorker")
    job.refresh_from_db()
    assert (job.state, job.done, job.message) == ("done", 6, "已数到6。") and job.has_result
