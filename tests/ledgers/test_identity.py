from datetime import date

import pytest

from ledgers.dates import add_months
from ledgers.identity import (
    IdentifierError,
    check_credit_code,
    check_resident_id,
    mask_id,
    mask_phone,
    normalise_phone,
)

VALID = "11010519491231002X"


def test_valid_id_derives_birth_and_sex():
    rid = check_resident_id(VALID)
    assert rid.number == VALID
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sex == "F"  # 17th digit 2 is even


def test_lower_case_x_is_upper_cased():
    assert check_resident_id(VALID.lower()).number == VALID


def test_bad_check_digit():
    with pytest.raises(IdentifierError, match="校验位错误"):
        check_resident_id("110105194912310021")


def test_impossible_date():
    # 1949-02-30 does not exist; check digit computed so only the date is wrong.
    from stdnum.cn import ric

    body = "11010519490230002"
    with pytest.raises(IdentifierError, match="出生日期19490230不存在"):
        check_resident_id(body + ric.calc_check_digit(body + "0"))


def test_future_birth_date():
    from stdnum.cn import ric

    body = "11010520990101002"
    with pytest.raises(IdentifierError, match="晚于今天"):
        check_resident_id(body + ric.calc_check_digit(body + "0"))


def test_wrong_length_or_letters():
    with pytest.raises(IdentifierError, match="格式错误"):
        check_resident_id("1101051949123100")
    with pytest.raises(IdentifierError, match="不能为空"):
        check_resident_id("  ")


def test_credit_code_valid_and_lower_case():
    from stdnum.cn import uscc

    body = "91310000MA1FL8TQ3"
    good = body + uscc.calc_check_digit(body)
    assert check_credit_code(good.lower()) == (good, "")


def test_credit_code_bad_check_digit_only_warns():
    from stdnum.cn import uscc

    good = "91330106MA2GLXWP2K"
    body = good[:17]
    right = uscc.calc_check_digit(body)
    wrong = "0" if right != "0" else "1"
    code, warning = check_credit_code(body + right)
    assert warning == ""
    code, warning = check_credit_code(body + wrong)
    assert code == body + wrong
    assert "校验位不符" in warning


def test_credit_code_bad_format_rejected():
    with pytest.raises(IdentifierError, match="格式错误"):
        check_credit_code("91330106MA2GLXWP2")  # 17 characters
    with pytest.raises(IdentifierError, match="格式错误"):
        check_credit_code("91330106MA2GLXWPIK")  # I is not allowed


def test_phone():
    assert normalise_phone("+86 138 1234 5678") == "13812345678"
    with pytest.raises(IdentifierError, match="联系电话"):
        normalise_phone("12812345678")


def test_masks():
    assert mask_id("350102199001011234") == "350102********1234"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 12, 31), -6, date(2025, 6, 30)),
        (date(2025, 8, 31), -6, date(2025, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected
