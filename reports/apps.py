from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from evaluations.models import Evaluation
        from ledgers import models as ledger_models

        from .stats_store import on_evaluation_saved, on_ledger_change

        # Everything the stored statistics are computed from: changes mark the community's rows stale.
        for model in (*ledger_models.fact_source_models(), ledger_models.FactSnapshot):
            post_save.connect(on_ledger_change, sender=model, dispatch_uid=f"reports.stats.{model.__name__}.save")
            post_delete.connect(on_ledger_change, sender=model, dispatch_uid=f"reports.stats.{model.__name__}.del")
        post_save.connect(on_evaluation_saved, sender=Evaluation, dispatch_uid="reports.stats.evaluation")

        from . import jobs  # noqa: F401  (registers the batch form and export job kinds)
