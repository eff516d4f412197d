"""Services that change sheets and periods (views and the API call these, never the models directly)."""

from .workflow import ACTIONS, NotAllowed, StaleError, WorkflowError  # noqa: F401
