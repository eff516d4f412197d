from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "announcements"
    verbose_name = "公示与异议"

    def ready(self) -> None:
        # The workflow asks the notice before publication and tells it when a re-review completes.
        from . import jobs, receivers  # noqa: F401  (receivers; the notice_start job kind)
