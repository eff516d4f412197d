"""The inbox page: the user's own messages only (no scope lookup needed: the recipient is the filter)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .models import Message

PAGE_SIZE = 30


@login_required
def index(request):
    qs = Message.objects.filter(recipient=request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "inbox/index.html", {"page": page, "only_unread": only_unread,
                                                "qs": params.urlencode()})


@require_POST
@login_required
def open_message(request, pk: int):
    """Mark one message read and go where it points (the sheet)."""
    message = get_object_or_404(Message, pk=pk, recipient=request.user)
    services.mark_read(request.user, [message.pk])
    link = message.link
    return redirect(link if link.startswith("/") and not link.startswith("//") else "inbox:index")


@require_POST
@login_required
def read(request):
    ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    n = services.mark_read(request.user, ids or None)
    messages.success(request, f"已将 {n} 条消息标为已读。")
    return redirect("inbox:index")
