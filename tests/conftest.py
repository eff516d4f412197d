import datetime
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


@pytest.fixture
def period_year():
    """The year of the `period` fixture; a test folder overrides it where its ledgers need another."""
    return 2026


@pytest.fixture
def period(cast, standard_version, period_year):
    """An evaluation period of the cast's two communities of 东华街道 and one of another county."""
    from evaluations.services.periods import open_period

    return open_period(
        cast.city_admin, year=period_year, name=f"{period_year}年度评审", standard=standard_version,
        communities=[cast.community, cast.sibling, cast.other_community],
        self_deadline=datetime.date(2026, 3, 31), county_deadline=datetime.date(2026, 4, 30),
        city_deadline=datetime.date(2026, 5, 31),
    )


@pytest.fixture
def evaluation(period, cast):
    from evaluations.models import Evaluation

    return Evaluation.objects.get(period=period, community=cast.community)


@pytest.fixture(autouse=True)
def _empty_default_cache():
    """Each test starts with an empty per-process cache (summaries, throttles): no test reads another's."""
    from django.core.cache import cache

    cache.clear()
    yield
