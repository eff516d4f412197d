"""Checks and masking of identifiers: resident ID, unified social credit code, mobile phone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class IdentifierError(ValueError):
    """Carries a Chinese message for people."""


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    sex: str  # "M" | "F"


def check_resident_id(value: str, today: date | None = None) -> ResidentId:
    """Validate a GB 11643-1999 resident ID; return the normalised number, birth date and sex."""
    raw = (value or "").strip().replace(" ", "")
    if not raw:
        raise IdentifierError("身份证号不能为空")
    number = raw.upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdentifierError(f"身份证号“{raw}”格式错误：应为18位，前17位为数字，末位为数字或X")
    try:
        birth = ric.get_birth_date(number)
    except (stdnum_exceptions.ValidationError, ValueError) as exc:
        raise IdentifierError(f"身份证号“{raw}”中的出生日期{number[6:14]}不存在") from exc
    if birth > (today or date.today()):
        raise IdentifierError(f"身份证号“{raw}”中的出生日期{number[6:14]}晚于今天")
    # The check digit (ISO 7064 MOD 11-2). The region code is not enforced: stdnum's region list
    # lacks codes that were valid when older IDs were issued.
    if ric.calc_check_digit(number) != number[-1]:
        raise IdentifierError(f"身份证号“{raw}”校验位错误")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth, sex=sex)


def check_credit_code(value: str) -> tuple[str, str]:
    """Normalise a unified social credit code; return (code, warning). A failing check only warns.

    Some codes issued in early pilots fail the mod-31 check though they are legal (DOMAIN.md).
    """
    code = (value or "").strip().replace(" ", "").upper()
    if not code:
        return "", ""
    if not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}", code):
        raise IdentifierError(f"统一社会信用代码“{value}”格式错误：应为18位数字或大写字母（不含I、O、Z、S、V）")
    try:
        uscc.validate(code)
    except stdnum_exceptions.ValidationError:
        return code, f"统一社会信用代码“{code}”校验位不符，请核实（早期试点代码可能如此，已保存）"
    return code, ""


def normalise_phone(value: str) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = re.sub(r"[\s-]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not PHONE_RE.fullmatch(digits):
        raise IdentifierError(f"联系电话“{raw}”格式错误：应为1开头的11位手机号")
    return digits


def mask_id(number: str) -> str:
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(number: str) -> str:
    if not number:
        return ""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
