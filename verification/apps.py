from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "抽查核实"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the reference import and report job kinds)
