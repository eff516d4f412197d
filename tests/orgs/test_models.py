import pytest
from django.core.exceptions import ValidationError

from orgs.models import Level, Role, Unit, User


def test_unit_parent_level_is_checked(cast):
    bad = Unit(name="错层社区", code="X1", level=Level.COMMUNITY, parent=cast.county)
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "社区的上级单位必须是街道（乡镇）" in str(exc.value)
    with pytest.raises(ValidationError):
        Unit(name="无上级街道", code="X2", level=Level.STREET).full_clean()
    with pytest.raises(ValidationError):
        Unit(name="另一个市", code="X3", level=Level.CITY, parent=cast.city).full_clean()
    Unit(name="新街道", code="X4", level=Level.STREET, parent=cast.county).full_clean()


def test_user_unit_level_matches_role(cast):
    user = User(username="u_bad", role=Role.COUNTY_REVIEWER, unit=cast.street)
    user.set_password("x")
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "县级审核人员必须绑定到区（市、县）级单位" in str(exc.value)
    user.unit = cast.county
    user.full_clean()
