from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "register"
    verbose_name = "星级社区名录与复核"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the register export job kind)
