"""Property-based run of the whole API from its own OpenAPI schema: no input gets a 500.

Run with a token of every role that may hold one (street viewers browse only and get no token). Bounded: a few examples per operation and no per-example deadline, so CI time stays predictable.
Every 4xx must also be in the common error format.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings

from api.tokens import create_token

pytestmark = pytest.mark.django_db

# Examples per operation and role: the two roles that write most get more; the run stays a few minutes.
MAX_EXAMPLES = {"admin": 10, "operator": 10, "city_reviewer": 4, "county_reviewer": 4}

SCHEMA = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
OPERATIONS = sorted(
    (method.upper(), path)
    for path, methods in SCHEMA.raw_schema["paths"].items()
    for method in methods
    if method in {"get", "post", "put", "patch", "delete"}
)


@pytest.fixture(autouse=True)
def keep_test_connection():
    """The WSGI app here is called outside Django's test client, which normally detaches these
    handlers: on PostgreSQL they would close the connection holding the test transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(cast, standard_version):
    from evaluations.services.periods import open_period

    open_period(cast.city_admin, year=2026, name="2026", standard=standard_version,
                communities=[cast.community, cast.other_community])
    return {
        "admin": create_token(cast.city_admin, "schemathesis")[1],
        "operator": create_token(cast.operator, "schemathesis")[1],
        "city_reviewer": create_token(cast.city_reviewer, "schemathesis")[1],
        "county_reviewer": create_token(cast.county_reviewer, "schemathesis")[1],
    }


@pytest.mark.parametrize("who", ["admin", "operator", "city_reviewer", "county_reviewer"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_errors(tokens, who, method, path):
    operation = SCHEMA[path][method]
    token = tokens[who]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES[who],
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case):
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query} {case.body!r} → "
            f"{response.status_code}: {response.text[:500]}"
        )
        content_type = response.headers.get("Content-Type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        if 400 <= response.status_code < 500 and content_type.startswith("application/json"):
            body = response.json()
            assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"]), body

    run()
