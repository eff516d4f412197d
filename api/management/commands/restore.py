"""manage.py restore PATH: into a new, migrated, empty database (run `manage.py migrate` first)."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from api.backup import BackupError, restore


class Command(BaseCommand):
    help = "从 manage.py backup 生成的 .tar.gz 恢复数据库和文件（目标数据库须为空）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件路径")
        parser.add_argument(
            "--no-migrate", action="store_true", help="不先执行 migrate（数据库结构已是最新时使用）"
        )

    def handle(self, *args, archive, no_migrate=False, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        try:
            report = restore(Path(archive))
        except BackupError as exc:
            # One line on stderr and exit status 2, like a usage error: scripts can tell it from a crash.
            raise CommandError(" ".join(str(exc).split()), returncode=2)
        self.stdout.write(f"已恢复：{report.objects} 行数据，{report.files} 个文件。")
        if report.missing_files:
            self.stderr.write(
                f"注意：备份时有 {len(report.missing_files)} 个被引用的文件已缺失，恢复后仍缺失："
                + "、".join(report.missing_files[:10])
            )
