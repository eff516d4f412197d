"""Daily deadline reminders (cron: see docs/DEPLOYMENT.md). Idempotent: a second run the same day adds nothing."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandParser

from inbox.services import deadline_notices


class Command(BaseCommand):
    help = "Send in-app (and, if enabled, e-mail) notices for approaching and passed deadlines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD), for checks.")

    def handle(self, *args, **options) -> None:
        today = datetime.date.fromisoformat(options["date"]) if options.get("date") else None
        outcome = deadline_notices(today)
        self.stdout.write(f"deadline notices: {outcome.created} created, {outcome.skipped} already sent")
