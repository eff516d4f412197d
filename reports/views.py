"""Thin views: resolve the scope (period, district, the user's unit), call a writer, log the download."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from evaluations.models import Evaluation, Period
from evaluations.presenters import totals_for
from jobs.services import start as start_job
from orgs import pickers
from orgs.models import Unit, log_access
from orgs.scoping import get_for_user, require, visible_communities, visible_counties

from . import dashboards, forms, summaries
from .exporters import EXPORTERS
from .summaries import report_scope

FORM_FORMATS = forms.FORM_FORMATS
FORM_LIST_PAGE_SIZE = 50
LEDGER_STATS_MAX_ROWS = 200


def _download(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=forms.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def _scope(request) -> tuple[Period | None, Unit | None]:
    return report_scope(request.user, request.GET.get("period"), request.GET.get("county"))


def _filter_context(request, period, county) -> dict:
    return {
        "periods": Period.objects.all(),
        "period": period,
        "counties": visible_counties(request.user),
        "county": county,
        "county_locked": not request.user.is_city,
    }


@login_required
def index(request):
    period, county = _scope(request)
    ctx = _filter_context(request, period, county)
    ctx["exporters"] = [
        {"identifier": cls.identifier, "verbose_name": cls.verbose_name, "formats": cls.formats}
        for cls in EXPORTERS.values()
    ]
    ctx["dashboards"] = [(slug, title) for slug, (title, _fn) in dashboards.DASHBOARDS.items()]
    ctx["batch_formats"] = [("zip", "每个社区的 Excel、Word、PDF（zip）"), ("pdf", "合并为一个 PDF（打印用）")]
    if period is not None:
        communities = summaries.scoped_communities(request.user, county.pk if county else None)
        evaluations = (
            Evaluation.objects.filter(period=period, community__in=communities)
            .select_related("community", "community__street", "community__county")
            .order_by("community__code")
        )
        page = Paginator(evaluations, FORM_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        for e in page.object_list:
            e.shown = totals_for(request.user, e)
        params = request.GET.copy()
        params.pop("page", None)
        ctx.update({"evaluation_count": page.paginator.count, "evaluations": page.object_list, "page": page,
                    "qs": params.urlencode()})
    return render(request, "reports/index.html", ctx)


@login_required
def form_print(request, pk: int):
    evaluation = get_for_user(request.user, _form_queryset(), "export", pk=pk)
    form = forms.filled_form(evaluation, request.user)
    log_access(request.user, "export", f"附件1 打印视图：{form.filename_stem}", format="print", evaluation=pk)
    return HttpResponse(forms.render_form_html(form))


@login_required
def form_download(request, pk: int, fmt: str):
    if fmt not in FORM_FORMATS:
        raise Http404("不支持的文件格式。")
    evaluation = get_for_user(request.user, _form_queryset(), "export", pk=pk)
    form = forms.filled_form(evaluation, request.user)
    content = forms.form_bytes(form, fmt)
    log_access(request.user, "export", f"附件1：{form.filename_stem}.{fmt}", format=fmt, evaluation=pk)
    return _download(content, f"{form.filename_stem}.{fmt}", fmt)


@login_required
@require_POST
def form_batch(request):
    """Every filled 附件1 of the period in the user's scope, as a background job: ?fmt=zip (xlsx, docx
    and pdf per community) or pdf (one merged PDF for printing)."""
    from . import jobs as report_jobs

    require(request.user, "export")
    fmt = request.POST.get("fmt", "")
    if fmt not in report_jobs.BATCH_KINDS:
        raise Http404("不支持的批量下载格式。")
    period, county = _scope(request)
    if period is None:
        raise Http404("尚未建立评估期。")
    label = "全部附件1（Excel、Word、PDF，zip）" if fmt == "zip" else "全部附件1合并打印 PDF"
    job = start_job(report_jobs.BATCH_KINDS[fmt], request.user, county or request.user.unit,
                    f"{label}：{period.name}{' · ' + county.name if county else ''}",
                    {"period_id": period.pk, "county_id": county.pk if county else None},
                    link=reverse("reports:index") + f"?period={period.year}" + (f"&county={county.pk}" if county else ""))
    return redirect("jobs:detail", pk=job.pk)


def _form_queryset():
    return forms.form_queryset()


@login_required
def export(request, identifier: str, fmt: str):
    require(request.user, "export")
    cls = EXPORTERS.get(identifier)
    if cls is None or fmt not in cls.formats:
        raise Http404("未找到该报表或格式。")
    period, county = _scope(request)
    if period is None:
        raise Http404("尚未建立评估期。")
    from . import jobs as report_jobs

    if report_jobs.export_in_background(period, county, request.user):
        job = start_job("report_export", request.user, county or request.user.unit,
                        f"导出：{cls.verbose_name}（{period.name}{' · ' + county.name if county else ''}，{fmt.upper()}）",
                        {"identifier": identifier, "fmt": fmt, "period_id": period.pk,
                         "county_id": county.pk if county else None}, link=request.get_full_path())
        return redirect("jobs:detail", pk=job.pk)
    exporter = cls(request.user, period, county)
    content = exporter.export(fmt)
    log_access(
        request.user,
        "export",
        exporter.filename(fmt),
        format=fmt,
        report=identifier,
        period=period.year,
        county=county.pk if county else None,
    )
    return _download(content, exporter.filename(fmt), fmt)


@login_required
def dashboard(request, slug: str):
    if slug not in dashboards.DASHBOARDS and slug != "history":
        raise Http404("未找到该统计图。")
    period, county = _scope(request)
    ctx = _filter_context(request, period, county)
    ctx["dashboards"] = [(s, t) for s, (t, _fn) in dashboards.DASHBOARDS.items()]
    ctx["slug"] = slug
    charts: list[dict] = []
    if slug == "history":
        communities = summaries.scoped_communities(request.user, county.pk if county else None)
        ctx["title"] = "社区历年评审结果"
        raw = request.GET.get("community")
        community = None
        if raw:
            choice = pickers.resolve(visible_communities(request.user), raw)
            # Text naming several communities shows the first of them; the field keeps the text.
            community = choice.selected or (choice.matches.first() if choice.matches is not None else None)
            if community is None:
                raise Http404("未找到该社区，或不在您的管辖范围内。")
        elif communities.exists():
            community = communities.order_by("code").first()
        ctx["community"] = community
        ctx["picker"] = pickers.CommunityChoice(community.full_name if community else "", community, None)
        if community is not None:
            charts = dashboards.community_history(community, request.user)
    else:
        title, fn = dashboards.DASHBOARDS[slug]
        ctx["title"] = title
        if period is not None:
            charts = fn(period, summaries.scoped_communities(request.user, county.pk if county else None), request.user)
    ctx["charts"] = charts
    return render(request, "reports/dashboard.html", ctx)


@login_required
def ledger_stats_page(request):
    from . import ledger_stats

    period, county = _scope(request)
    ctx = _filter_context(request, period, county)
    if period is not None:
        communities = summaries.scoped_communities(request.user, county.pk if county else None)
        # Thousands of community rows make no page: the whole city shows one subtotal row per district,
        # each linking to that district's communities (the Excel download keeps every row).
        count = communities.count()
        ctx["summary_only"] = county is None and count > LEDGER_STATS_MAX_ROWS
        ctx["table"] = ledger_stats.table(period, communities, community_rows=not ctx["summary_only"],
                                          n_communities=count)
    return render(request, "reports/ledger_stats.html", ctx)
