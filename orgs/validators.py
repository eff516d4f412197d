from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """Strong passwords: letters and digits at least; the length rule is a separate validator."""

    def validate(self, password: str, user=None) -> None:
        has_letter = any(ch.isalpha() for ch in password)
        has_digit = any(ch.isdigit() for ch in password)
        if not (has_letter and has_digit):
            raise ValidationError("密码必须同时包含字母和数字。", code="password_character_classes")

    def get_help_text(self) -> str:
        return "密码必须同时包含字母和数字。"


class MinimumLengthValidator:
    """Django's length rule with a Chinese message (Django 5.2's zh_Hans catalogue lacks this one)."""

    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码太短，至少需要 {self.min_length} 个字符。",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"


# zxcvbn's feedback in Chinese; anything unlisted falls back to the general advice.
_ZXCVBN_WARNINGS = {
    'Repeats like "aaa" are easy to guess.': "含有重复字符（如“aaa”），很容易被猜到",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "含有重复片段（如“abcabc”），很容易被猜到",
    "Sequences like abc or 6543 are easy to guess.": "含有连续序列（如 abc、6543），很容易被猜到",
    "Recent years are easy to guess.": "含有近年年份，很容易被猜到",
    "Dates are often easy to guess.": "含有日期，很容易被猜到",
    "Straight rows of keys are easy to guess.": "含有键盘上连续的按键，很容易被猜到",
    "Short keyboard patterns are easy to guess.": "含有简单的键盘图案，很容易被猜到",
    "This is a top-10 common password.": "这是最常用的 10 个密码之一",
    "This is a top-100 common password.": "这是最常用的 100 个密码之一",
    "This is a very common password.": "这是非常常用的密码",
    "This is similar to a commonly used password.": "与常用密码相似",
    "A word by itself is easy to guess.": "单独一个英文单词很容易被猜到",
    "Names and surnames by themselves are easy to guess.": "单独的姓名很容易被猜到",
    "Common names and surnames are easy to guess.": "常见姓名很容易被猜到",
}


class PatternValidator:
    """Rejects guessable passwords (repeats, sequences, keyboard rows, dates, common words, the user's
    own name) by zxcvbn's estimate, with Chinese messages. `11111111111A` is refused; the demo password
    and generated temporary passwords pass."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        from zxcvbn import zxcvbn

        inputs = []
        if user is not None:
            inputs = [str(v) for v in (getattr(user, "username", ""), getattr(user, "display_name", "")) if v]
        result = zxcvbn(password[:100], user_inputs=inputs)
        if result["score"] >= self.min_score:
            return
        warning = _ZXCVBN_WARNINGS.get(result["feedback"].get("warning") or "", "")
        reason = f"：{warning}" if warning else ""
        raise ValidationError(
            f"密码太容易被猜到{reason}。请使用更长、无规律的组合，例如几个不相关的词加数字和符号。",
            code="password_too_guessable",
        )

    def get_help_text(self) -> str:
        return "密码不能是重复字符、连续序列、键盘图案、日期或常用词等容易被猜到的组合。"
