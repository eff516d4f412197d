from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "组织与账号"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the unit import job kind)
