"""Delete job result files past the retention period (JOB_RETENTION_DAYS) and mark jobs a dead worker
left running as interrupted, and delete ledger uploads no import will use any more. Run daily (cron or a systemd timer, see docs/DEPLOYMENT.md)."""

from django.core.management.base import BaseCommand

from jobs.services import prune
from ledgers.jobs import abandon_stale_imports


class Command(BaseCommand):
    help = "Remove expired job result files and fail jobs left running by a stopped worker."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="retention in days (default: JOB_RETENTION_DAYS)")
        parser.add_argument("--stale-hours", type=int, default=6,
                            help="a job running longer than this is considered interrupted")

    def handle(self, *args, **options):
        removed, interrupted = prune(retention_days=options["days"], stale_hours=options["stale_hours"])
        uploads = abandon_stale_imports(retention_days=options["days"], stale_hours=options["stale_hours"])
        self.stdout.write(f"removed {removed} result file(s); marked {interrupted} interrupted job(s); "
                          f"deleted {uploads} abandoned upload(s)")
