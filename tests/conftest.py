import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def standard_version(db):
    from standards.loading import load_file
    from standards.models import StandardVersion

    load_file()
    return StandardVersion.objects.current()


@pytest.fixture
def cast(db):
    from tests.cast import build_cast

    return build_cast()
