from django.core.management.base import BaseCommand, CommandError

from standards.loading import DEFAULT_FILE, LoadError, load_file

ACTIONS = {"created": "已创建", "updated": "已更新", "unchanged": "未变化"}


class Command(BaseCommand):
    help = "Load (or update) a version of the standard from its JSON data file. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
        parser.add_argument("--not-current", action="store_true", help="do not make it the current version")

    def handle(self, *args, **options):
        try:
            outcome = load_file(options["file"], make_current=not options["not_current"])
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"评审标准 {outcome.version}：{ACTIONS[outcome.action]}")
