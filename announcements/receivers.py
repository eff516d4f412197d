"""The workflow's signals, answered by the notice: publication waits for it; a re-review rejoins it."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from evaluations.signals import evaluation_transitioned, evaluation_transitioning

from . import services


@receiver(evaluation_transitioning, dispatch_uid="announcements-check-publication")
def _check_publication(sender: Any, evaluation: Any, user: Any, action: Any, **kwargs: Any) -> None:
    services.check_publication(evaluation, user, action)


@receiver(evaluation_transitioned, dispatch_uid="announcements-after-transition")
def _after_transition(sender: Any, evaluation: Any, user: Any, action: Any, **kwargs: Any) -> bool:
    return services.record_publication(evaluation, user, action)
