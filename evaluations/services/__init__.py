"""Services that change sheets and periods (views and the API call these, never the models directly)."""

from ..policy import ACTIONS as ACTIONS
from .workflow import NotAllowed as NotAllowed
from .workflow import StaleError as StaleError
from .workflow import WorkflowError as WorkflowError
