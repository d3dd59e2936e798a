"""The call log in the admin: the calls with their dashboard, and what callers said."""

from . import calls, utterances  # noqa: F401  (registers their pages)
from .calls import CallAdmin
from .numbers import CALLER_PERMISSION

__all__ = ["CALLER_PERMISSION", "CallAdmin"]
