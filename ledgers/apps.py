from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "ledgers"
    verbose_name = "台帐"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from evaluations.facts import register_provider
        from evaluations.signals import evaluation_submitted

        from . import jobs  # noqa: F401  (registers the import job kinds)
        from .facts import FACT_NAMES
        from .live_facts import on_ledger_change
        from .models import fact_source_models
        from .snapshots import ledger_facts, on_submitted

        register_provider(ledger_facts, FACT_NAMES)
        evaluation_submitted.connect(on_submitted, dispatch_uid="ledgers.snapshot_on_submit")

        # Every change of what the facts are computed from marks the community's stored facts outdated.
        for model in fact_source_models():
            post_save.connect(on_ledger_change, sender=model, dispatch_uid=f"ledgers.live.{model.__name__}.save")
            post_delete.connect(on_ledger_change, sender=model, dispatch_uid=f"ledgers.live.{model.__name__}.del")
