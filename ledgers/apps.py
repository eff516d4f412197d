from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "ledgers"
    verbose_name = "台帐"

    def ready(self) -> None:
        from evaluations.facts import register_provider
        from evaluations.signals import evaluation_submitted

        from . import jobs  # noqa: F401  (registers the import job kinds)
        from .facts import FACT_NAMES
        from .snapshots import ledger_facts, on_submitted

        register_provider(ledger_facts, FACT_NAMES)
        evaluation_submitted.connect(on_submitted, dispatch_uid="ledgers.snapshot_on_submit")
