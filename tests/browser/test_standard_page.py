import pytest

from tests.browser.conftest import login
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_standard_page_shows_all_23_lines(page, cast, standard_version):
    login(page, cast.operator.username, PASSWORD)
    page.goto(page.live_url + "/standard/")
    rows = page.locator("[data-testid=standard-table] tbody tr[data-line]")
    assert rows.count() == 23
    assert page.locator("text=市级充分就业星级社区评审标准").first.is_visible()
    assert "凡未建立社区劳动就业和社会保障服务机构" in page.content()
    assert not page.console_errors
