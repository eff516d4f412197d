"""Print the demo accounts (role, username, unit, password) — `make run` shows this before serving."""

from django.core.management.base import BaseCommand

from orgs.demo import demo_accounts, demo_password
from orgs.models import Role, User


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "列出演示账号（角色、用户名、单位、密码）"

    def handle(self, *args, **options):
        usernames = [a[0] for a in demo_accounts()]
        found = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("unit")}
        if not found:
            self.stdout.write("尚未创建演示账号：请先运行 `manage.py seed_demo`。")
            return
        password = demo_password()
        rows = [("角色", "用户名", "单位", "密码")]
        for username in usernames:
            user = found.get(username)
            if user is None or not user.is_active:
                continue
            unit = user.unit.full_name if user.unit else ""
            pw = password if user.check_password(password) else "（已修改）"
            rows.append((Role(user.role).label, username, unit, pw))
        widths = [max(_width(r[i]) for r in rows) for i in range(4)]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        self.stdout.write("演示账号（登录地址 http://127.0.0.1:8000/accounts/login/）")
        self.stdout.write(line)
        for index, row in enumerate(rows):
            self.stdout.write("| " + " | ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)) + " |")
            if index == 0:
                self.stdout.write(line)
        self.stdout.write(line)
