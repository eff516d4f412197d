from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import StandardVersion
from .presentation import table_rows


def _render(request, sv: StandardVersion):
    return render(
        request,
        "standards/standard.html",
        {"sv": sv, "data": sv.data, "rows": table_rows(sv.data), "versions": StandardVersion.objects.all()},
    )


@login_required
def current(request):
    try:
        sv = StandardVersion.objects.current()
    except StandardVersion.DoesNotExist as exc:
        raise Http404("尚未加载评审标准") from exc
    return _render(request, sv)


@login_required
def detail(request, version: str):
    return _render(request, get_object_or_404(StandardVersion, version=version))
