"""Writes to the call log: each webhook's entry, safe to write again when Twilio retries.

A webhook hands its entry to the process's spool (calllog/spool.py) and answers; the spool's
thread writes entries in groups. They are plain INSERTs (ON CONFLICT works the same on SQLite
and PostgreSQL) rather than bulk_create(), whose query building costs more than the write
itself. The unique constraints on the models decide what counts as a repeat.
"""

from contextlib import nullcontext
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Call, Step, Utterance
from .spool import Spool


def _insert_sql(model, fields: list[str], on_conflict: str) -> str:
    q = connection.ops.quote_name
    columns = ", ".join(q(model._meta.get_field(name).column) for name in fields)
    values = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {q(model._meta.db_table)} ({columns}) VALUES ({values}) {on_conflict}"


CALL_COLUMNS = ["call_sid", "from_number", "to_number", "started_at", "ended_at", "status"]
CALL_COLUMNS += ["duration", "language", "language_chosen_at"]
STEP_COLUMNS = ["call", "sequence", "kind", "digits", "planet", "dial_status", "dial_duration"]
STEP_COLUMNS += ["idempotency_token", "created_at"]
UTTERANCE_COLUMNS = ["call", "sequence", "language", "heard", "confidence", "target", "planet"]
UTTERANCE_COLUMNS += ["score", "created_at"]
COLUMNS = {
    "call_start": CALL_COLUMNS,
    "call_language": CALL_COLUMNS,
    "call_end": CALL_COLUMNS,
    "step": STEP_COLUMNS,
    "utterance": UTTERANCE_COLUMNS,
}

# When entries of one call meet on its row (a spool writes them in any order, and maybe twice):
# the language chosen latest wins, the earliest start wins, and numbers fill in where missing.
MERGE = {
    "language": "CASE WHEN {t}.language_chosen_at IS NULL "
    "OR {t}.language_chosen_at < excluded.language_chosen_at "
    "THEN excluded.{column} ELSE {t}.{column} END",
    "started_at": "CASE WHEN excluded.started_at < {t}.started_at "
    "THEN excluded.started_at ELSE {t}.started_at END",
    "number": "CASE WHEN {t}.{column} = '' THEN excluded.{column} ELSE {t}.{column} END",
}


def _merge(*assignments: tuple[str, str]) -> str:
    t = connection.ops.quote_name(Call._meta.db_table)
    return "ON CONFLICT (call_sid) DO UPDATE SET " + ", ".join(
        f"{column} = {MERGE[rule].format(t=t, column=column)}" for column, rule in assignments
    )


LANGUAGE = (("language", "language"), ("language_chosen_at", "language"))
NUMBERS = (("from_number", "number"), ("to_number", "number"))


@cache
def _statements() -> dict[str, str]:
    return {
        "call_start": _insert_sql(
            Call, CALL_COLUMNS, _merge(*LANGUAGE, *NUMBERS, ("started_at", "started_at"))
        ),
        "call_language": _insert_sql(Call, CALL_COLUMNS, _merge(*LANGUAGE)),
        "call_end": _insert_sql(
            Call,
            CALL_COLUMNS,
            "ON CONFLICT (call_sid) DO UPDATE SET ended_at = excluded.ended_at, "
            "status = excluded.status, duration = excluded.duration, "
            + _merge(*NUMBERS).removeprefix("ON CONFLICT (call_sid) DO UPDATE SET "),
        ),
        "step": _insert_sql(Step, STEP_COLUMNS, "ON CONFLICT DO NOTHING"),
        "utterance": _insert_sql(Utterance, UTTERANCE_COLUMNS, "ON CONFLICT DO NOTHING"),
    }


def _row(entry: dict) -> dict:
    """The columns an entry writes. Its time is its request's, so writing it late, or again,
    writes the same row."""
    fields = {name: value for name, value in entry.items() if name not in ("record", "at")}
    at = datetime.fromisoformat(entry["at"])
    if entry["record"] in ("call_start", "call_language"):
        # A language chosen before the call's own row is written makes the row, at that time.
        # Entries spooled before calls had a language have none.
        return {
            "from_number": "",
            "to_number": "",
            "language": "",
            **fields,
            "started_at": at,
            "ended_at": None,
            "status": "",
            "duration": None,
            "language_chosen_at": at,
        }
    if entry["record"] == "call_end":
        started = at - timedelta(seconds=entry["duration"] or 0)
        # The status callback knows no language: a row it makes waits for the greeting's.
        return {
            **fields,
            "started_at": started,
            "ended_at": at,
            "language": "",
            "language_chosen_at": None,
        }
    call, planet = fields.pop("call_sid"), fields.pop("planet_id")
    return {**fields, "call": call, "planet": planet, "created_at": at}


def entries_write(entries: list[dict]) -> None:
    """Write call-log entries to the database in one transaction; writing one twice is harmless."""
    statements = _statements()
    adapt = connection.ops.adapt_datetimefield_value
    # One statement is atomic by itself; a group is one transaction, one commit.
    group = transaction.atomic() if len(entries) > 1 else nullcontext()
    with group, connection.cursor() as cursor:
        for entry in entries:
            row = _row(entry)
            params = [
                adapt(value) if isinstance(value, datetime) else value
                for value in (row[column] for column in COLUMNS[entry["record"]])
            ]
            cursor.execute(statements[entry["record"]], params)


@cache
def _spool() -> Spool | None:
    return (
        Spool(settings.CALL_LOG_SPOOL_DIR, entries_write) if settings.CALL_LOG_SPOOL_DIR else None
    )


def spool_start() -> None:
    """Start this process's spool writer: it also writes what stopped processes left behind."""
    if spool := _spool():
        spool.start()


def spool_backlog() -> int:
    """Entries of this process not yet in the database."""
    spool = _spool()
    return spool.backlog() if spool else 0


def _record(record: str, **fields) -> None:
    entry = {"record": record, "at": timezone.now().isoformat(), **fields}
    if spool := _spool():
        spool.append(entry)
    else:
        entries_write([entry])


def call_start(*, call_sid: str, from_number: str, to_number: str, language: str = "") -> None:
    """The greeting: the call's row, unless a retry or the status callback made it already;
    its starting language, unless a language chosen later is written already."""
    _record(
        "call_start",
        call_sid=call_sid,
        from_number=from_number,
        to_number=to_number,
        language=language,
    )


def call_language(*, call_sid: str, language: str) -> None:
    """The caller chose a language: it becomes the call's, unless one chosen later is."""
    _record("call_language", call_sid=call_sid, language=language)


def step_record(
    *,
    call_sid: str,
    sequence: int,
    kind: str,
    digits: str = "",
    planet_id: int | None = None,
    dial_status: str = "",
    dial_duration: int | None = None,
    idempotency_token: str = "",
) -> None:
    """One step; a repeat of the same step (or idempotency token) is ignored by the database."""
    _record(
        "step",
        call_sid=call_sid,
        sequence=sequence,
        kind=kind,
        digits=digits,
        planet_id=planet_id,
        dial_status=dial_status,
        dial_duration=dial_duration,
        idempotency_token=idempotency_token,
    )


def utterance_record(
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
    _record(
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
    _record(
        "call_end",
        call_sid=call_sid,
        from_number=from_number,
        to_number=to_number,
        status=status,
        duration=duration,
    )


def calls_purge(*, before: datetime, batch_size: int) -> tuple[int, int, int]:
    """Delete the calls started before a time, their steps and utterances, a batch at a time.

    Each batch is its own short transaction, so the call log's writers (and staff) never wait
    long for the database's write lock, however large the log. Returns the calls and steps
    deleted and the number of batches.
    """
    calls = steps = batches = 0
    old_calls = Call.objects.filter(started_at__lt=before).order_by("started_at")
    while sids := list(old_calls.values_list("call_sid", flat=True)[:batch_size]):
        with transaction.atomic():
            steps += Step.objects.filter(call__in=sids).delete()[0]
            Utterance.objects.filter(call__in=sids).delete()
            calls += Call.objects.filter(call_sid__in=sids).delete()[0]
        batches += 1
    # Steps and utterances whose call row never got written are purged by their own age.
    orphan_steps, step_batches = _orphans_purge(Step, before=before, batch_size=batch_size)
    _orphan_utterances, utterance_batches = _orphans_purge(
        Utterance, before=before, batch_size=batch_size
    )
    return calls, steps + orphan_steps, batches + step_batches + utterance_batches


def _orphans_purge(model, *, before: datetime, batch_size: int) -> tuple[int, int]:
    orphans = model.objects.filter(created_at__lt=before).exclude(
        call__in=Call.objects.values("call_sid")
    )
    deleted = batches = 0
    while ids := list(orphans.values_list("pk", flat=True)[:batch_size]):
        deleted += model.objects.filter(pk__in=ids).delete()[0]
        batches += 1
    return deleted, batches


def statistics_refresh() -> None:
    """Let SQLite's planner learn the log's shape (PostgreSQL's autovacuum does this itself).

    Without statistics SQLite guesses, and on a large log it picks the wrong index for the
    admin's filters (a minute instead of under a second on a million calls).
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
