"""Settings of the HTTP benchmark's server: the product's settings, plus a bare view and a query counter.

The product's URLs are untouched (bench/urls.py includes them); the only additions are the bare
one-query view every page is compared with and a middleware that reports each response's number of
database queries in the `X-Bench-Queries` header.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.urls.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
