import pytest

from evaluations.models import Evaluation
from orgs.models import Role
from tests.cast import make_user

from .helpers import to_city_reviewed


@pytest.fixture
def reviewed(cast, period):
    """The cast community's and its sibling's sheets at 市级已复核 (100 points, 五星); the other county's
    sheet stays a draft."""
    sibling_operator = make_user("t_operator2", Role.COMMUNITY_OPERATOR, cast.sibling)
    return [to_city_reviewed(cast, Evaluation.objects.get(period=period, community=cast.community)),
            to_city_reviewed(cast, Evaluation.objects.get(period=period, community=cast.sibling), sibling_operator)]
