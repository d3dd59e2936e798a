"""What happened on each call: one row per call, its steps in order, and the day's counts."""

from .calls import Call, CallStatus
from .day_counts import FIGURE_SUMMARY, DayCount, Figure, call_figures
from .steps import Step, StepKind, Utterance
from .summary import (
    OUTCOME_CODES,
    OUTCOMES_BY_CODE,
    MenuOutcome,
    menu_token,
    menu_tokens,
    planet_ids,
    planet_set,
)

__all__ = [
    "Call",
    "CallStatus",
    "DayCount",
    "FIGURE_SUMMARY",
    "Figure",
    "MenuOutcome",
    "OUTCOMES_BY_CODE",
    "OUTCOME_CODES",
    "Step",
    "StepKind",
    "Utterance",
    "call_figures",
    "menu_token",
    "menu_tokens",
    "planet_ids",
    "planet_set",
]
