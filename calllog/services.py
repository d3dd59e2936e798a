"""Writes to the call log: each is one statement, safe to repeat when Twilio retries.

They run on every webhook request, so they are plain INSERTs (ON CONFLICT works the same on
SQLite and PostgreSQL) rather than bulk_create(), whose query building costs more than the
write itself. The unique constraints on the models decide what counts as a repeat.
"""

from datetime import timedelta
from functools import cache

from django.db import connection
from django.utils import timezone

from .models import Call, Step


def _insert_sql(model, fields: list[str], on_conflict: str) -> str:
    q = connection.ops.quote_name
    columns = ", ".join(q(model._meta.get_field(name).column) for name in fields)
    values = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {q(model._meta.db_table)} ({columns}) VALUES ({values}) {on_conflict}"


@cache
def _statements() -> dict[str, str]:
    call = ["call_sid", "from_number", "to_number", "started_at", "ended_at", "status", "duration"]
    step = ["call", "sequence", "kind", "digits", "planet", "dial_status", "dial_duration"]
    step += ["idempotency_token", "created_at"]
    return {
        "call_start": _insert_sql(Call, call, "ON CONFLICT DO NOTHING"),
        "call_end": _insert_sql(
            Call,
            call,
            "ON CONFLICT (call_sid) DO UPDATE SET ended_at = excluded.ended_at, "
            "status = excluded.status, duration = excluded.duration",
        ),
        "step": _insert_sql(Step, step, "ON CONFLICT DO NOTHING"),
    }


def _execute(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_statements()[statement], params)


def _now():
    return connection.ops.adapt_datetimefield_value(timezone.now())


def call_start(*, call_sid: str, from_number: str, to_number: str) -> None:
    """The greeting: the call's row, unless a retry or the status callback made it already."""
    _execute("call_start", [call_sid, from_number, to_number, _now(), None, "", None])


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
    _execute(
        "step",
        [
            call_sid,
            sequence,
            kind,
            digits,
            planet_id,
            dial_status,
            dial_duration,
            idempotency_token,
            _now(),
        ],
    )


def call_end(
    *, call_sid: str, from_number: str, to_number: str, status: str, duration: int | None
) -> None:
    """The status callback: merged into the call's row, created if the callback came first."""
    now = timezone.now()
    started = now - timedelta(seconds=duration or 0)
    adapt = connection.ops.adapt_datetimefield_value
    _execute(
        "call_end",
        [call_sid, from_number, to_number, adapt(started), adapt(now), status, duration],
    )


def statistics_refresh() -> None:
    """Let SQLite's planner learn the log's shape (PostgreSQL's autovacuum does this itself).

    Without statistics SQLite guesses, and on a large log it picks the wrong index for the
    admin's filters (a minute instead of under a second on a million calls).
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
