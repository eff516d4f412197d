from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "站内消息"

    def ready(self) -> None:
        from evaluations.signals import evaluation_transitioned

        from . import jobs  # noqa: F401  (registers the deadline-notice job kind)
        from .services import on_transition

        evaluation_transitioned.connect(on_transition, dispatch_uid="inbox.on_transition")
