"""Recompute the stored ledger statistics of every community (all periods, or one with --year)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from evaluations.models import Period
from reports import stats_store


class Command(BaseCommand):
    help = "重新计算各社区的台帐统计（预计算表）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只计算该年度的评估期")

    def handle(self, *args, year=None, **options):
        periods = Period.objects.order_by("year")
        if year is not None:
            periods = periods.filter(year=year)
            if not periods.exists():
                raise CommandError(f"没有 {year} 年度的评估期。")
        t0 = time.perf_counter()
        rows = stats_store.rebuild(list(periods))
        self.stdout.write(f"已更新 {rows} 条社区统计，用时 {time.perf_counter() - t0:.1f} 秒。")
