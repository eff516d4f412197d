"""The product's URLs plus /bench/bare/: a logged-in view that runs one query (the baseline)."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns


@login_required
def bare(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


class QueryCountMiddleware:
    """Counts the queries a request runs (all middleware included) into the X-Bench-Queries header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        return response


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *product_urlpatterns]
