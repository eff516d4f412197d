"""manage.py backup [--output PATH]: database (dumpdata JSON) + stored files in one .tar.gz."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库（与数据库类型无关的 JSON）和全部证明材料等文件到一个 .tar.gz 文件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o",
            help="输出文件路径（缺省：VAR_DIR/backups/star-backup-<时间>.tar.gz）",
        )

    def handle(self, *args, output=None, **options):
        if output is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.VAR_DIR) / "backups" / f"star-backup-{stamp}.tar.gz"
        try:
            manifest = backup(Path(output))
        except BackupError as exc:
            raise CommandError(str(exc))
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"已备份：{output}（{rows} 行数据，{len(manifest['files'])} 个文件）")
        if manifest["missing_files"]:
            self.stderr.write(
                f"警告：{len(manifest['missing_files'])} 个被引用的文件在存储中找不到，未能备份："
                + "、".join(manifest["missing_files"][:10])
            )
