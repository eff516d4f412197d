"""我的任务: the user's jobs, one job's progress (an htmx fragment that polls) and its result file."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import job_for_user, own_jobs
from .services import results_root


@login_required
@require_GET
def job_list(request):
    page = Paginator(own_jobs(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page": page, "qs": "", "retention_days": settings.JOB_RETENTION_DAYS})


@login_required
@require_GET
def job_detail(request, pk: int):
    return render(request, "jobs/detail.html", {"job": job_for_user(request.user, pk)})


@login_required
@require_GET
def job_progress(request, pk: int):
    """The progress fragment; polls itself while the job runs. With ?reload=1 a finished job reloads
    the page that embeds it (that page then shows the outcome itself)."""
    job = job_for_user(request.user, pk)
    reload = request.GET.get("reload") == "1"
    response = render(request, "jobs/_progress.html", {"job": job, "reload": reload})
    if reload and job.finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def job_download(request, pk: int):
    job = job_for_user(request.user, pk)
    if not job.has_result:
        raise Http404("该任务没有可下载的结果，或结果文件已过保留期被清理。")
    path = (results_root() / job.result_path).resolve()
    if not path.is_file() or results_root().resolve() not in path.parents:
        raise Http404("结果文件已不存在，请重新提交任务。")
    response = FileResponse(path.open("rb"), as_attachment=True)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.result_name)}"
    response["Cache-Control"] = "no-store"
    return response
