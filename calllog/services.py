"""The call log, as the rooms above write to it: each webhook's entry (a call's start, its
language, a step, words said, its end) handed to the process's spool (calllog/spool.py), whose
thread has the writer (calllog/writer.py) write them in groups."""

from functools import cache

from .entries import keep
from .models import Call, Step, Utterance
from .spool import Spool, spool_for
from .writer import entries_write


# Kept for ever: one spool per process (it notices a fork itself), set by the settings.
@cache
def _spool() -> Spool | None:
    return spool_for(entries_write)


def spool_start() -> None:
    """Start this process's spool writer: it also writes what stopped processes left behind."""
    if spool := _spool():
        spool.start()


def spool_backlog() -> int:
    """Entries of this process not yet in the database."""
    spool = _spool()
    return spool.backlog() if spool else 0


# The table each type of entry's values go to, for their lengths (the rest go to the call's row).
_MODELS = {"step": Step, "utterance": Utterance}


def _log(entry_type: str, **fields) -> None:
    keep(_spool(), entries_write, entry_type, _MODELS.get(entry_type, Call), **fields)


def call_start(
    *,
    call_sid: str,
    from_number: str,
    to_number: str,
    language: str = "",
    directory_revision: int | None = None,
    first_menu: str = "",
) -> None:
    """The greeting: the call's row, unless a retry or the status callback made it already;
    its starting language, unless a language chosen later is written already; the directory
    revision it heard and the menu it started at, unless an earlier greeting's are written
    already."""
    _log(
        "call_start",
        call_sid=call_sid,
        from_number=from_number,
        to_number=to_number,
        language=language,
        directory_revision=directory_revision,
        first_menu=first_menu,
    )


def call_language(*, call_sid: str, language: str) -> None:
    """The caller chose a language: it becomes the call's, unless one chosen later is."""
    _log("call_language", call_sid=call_sid, language=language)


def step_log(
    *,
    call_sid: str,
    sequence: int,
    kind: str,
    digits: str = "",
    planet_id: int | None = None,
    dial_status: str = "",
    dial_duration: int | None = None,
    idempotency_token: str = "",
    menu: str = "",
    option: str = "",
    outcome: str = "",
    next_menu: str = "",
) -> None:
    """One step (at a menu, what the caller's answer there was, the option chosen, and the
    menu it read out next); a repeat of the same step (or idempotency token) is ignored by the
    database."""
    _log(
        "step",
        call_sid=call_sid,
        sequence=sequence,
        kind=kind,
        digits=digits,
        planet_id=planet_id,
        dial_status=dial_status,
        dial_duration=dial_duration,
        idempotency_token=idempotency_token,
        menu=menu,
        option=option,
        outcome=outcome,
        next_menu=next_menu,
    )


def utterance_log(
    *,
    call_sid: str,
    sequence: int,
    language: str,
    heard: str,
    confidence: float,
    target: str,
    score: float,
    planet_id: int | None,
) -> None:
    """What a caller said at a step and what it matched; a repeat of the step is ignored."""
    _log(
        "utterance",
        call_sid=call_sid,
        sequence=sequence,
        language=language,
        heard=heard,
        confidence=confidence,
        target=target,
        score=score,
        planet_id=planet_id,
    )


def call_end(
    *, call_sid: str, from_number: str, to_number: str, status: str, duration: int | None
) -> None:
    """The status callback: merged into the call's row, created if the callback came first."""
    _log(
        "call_end",
        call_sid=call_sid,
        from_number=from_number,
        to_number=to_number,
        status=status,
        duration=duration,
    )
