from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

from evaluations import views as evaluation_views
from orgs import views as org_views


def healthz(request):
    # Load balancers poll this; it touches the database so a dead connection shows.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", evaluation_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", org_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", org_views.PasswordChangeView.as_view(), name="password_change"),
    path("orgs/", include("orgs.urls")),
    path("standard/", include("standards.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("api.urls")),
    path("jobs/", include("jobs.urls")),
    path("register/", include("register.urls")),
    path("public/register/", include("register.public_urls")),
    path("verification/", include("verification.urls")),
    path("inbox/", include("inbox.urls")),
    path("", include("announcements.urls")),
    path("help/", org_views.help_page, name="help"),
    path("admin/", admin.site.urls),
]
handler400 = "orgs.errors.bad_request"
handler403 = "orgs.errors.permission_denied"
handler404 = "orgs.errors.page_not_found"
handler500 = "orgs.errors.server_error"
admin.site.site_header = "星级社区评审系统 管理后台"
admin.site.site_title = "星级社区评审系统"
