"""The dashboard's day's counts: per day, language and number called, how many calls did each
thing the dashboard shows (calllog.models.DayCount).

The call log's writes keep them in the same transaction as the calls' rows: a write reads what
its calls counted for (counted()), changes them, reads them again, and moves the difference
(counts_move()). A purge moves its calls' counts to nothing, generate_calls from nothing. So
they stay a recount of the calls (day_counts_recount()) whatever order, and however often, the
entries come.
"""

import zlib
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache, lru_cache

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import FIGURE_SUMMARY, Call, DayCount, call_figures

# A day's count is of the calls of one day, language and number called (then a figure and key).
DAY_COUNT_GROUP = ["day", "language", "to_number", "figure", "key"]
# What a call counts for on the dashboard, and in which day's counts, read from its row.
FIGURE_COLUMNS = ["started_at", "language", "to_number", *FIGURE_SUMMARY]
# The first key of the PostgreSQL advisory locks the call log takes on calls ("CALL").
CALL_LOCKS = 0x43414C4C


def calls_lock(call_sids: Iterable[str]) -> None:
    """Hold these calls until the transaction ends, against every other write of the call log
    (PostgreSQL; SQLite's IMMEDIATE transaction holds the whole database already).

    A write reads what its calls counted for, then changes them: nobody else may change or
    delete them in between, nor make one of them that was not there yet, which row locks
    cannot cover. Taken in one order by every writer, so none waits for another in a circle."""
    if connection.vendor != "postgresql" or not call_sids:
        return
    keys = sorted({zlib.crc32(sid.encode()) - 2**31 for sid in call_sids})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, key) FROM unnest(%s::int[]) AS key",
            [CALL_LOCKS, keys],
        )


def counted(call_sids: list[str]) -> dict[str, tuple]:
    """What these calls count for on the dashboard (their FIGURE_COLUMNS, as the database
    gives them), by CallSid; calls not written yet are left out. Plain SQL: the writer reads
    this twice a group, and the ORM would cost more than the read."""
    if not call_sids:
        return {}
    q = connection.ops.quote_name
    columns = ", ".join(
        q(Call._meta.get_field(name).column) for name in ["call_sid", *FIGURE_COLUMNS]
    )
    sids = ", ".join(["%s"] * len(call_sids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {q(Call._meta.db_table)} WHERE {q('call_sid')} IN ({sids})",
            call_sids,
        )
        return {sid: tuple(rest) for sid, *rest in cursor.fetchall()}


def figure_columns(call: Call) -> tuple:
    """A call's FIGURE_COLUMNS, as counted() reads them, from the call itself."""
    return tuple(getattr(call, name) for name in FIGURE_COLUMNS)


def _counts_of(row: tuple) -> set[tuple]:
    """The day's counts one call's FIGURE_COLUMNS add one to."""
    group = _group(row)
    return {group + figure for figure in _figures(row[3:])}


def _group(row: tuple) -> tuple:
    """The (day, language, to_number) of a call's day's counts, from its FIGURE_COLUMNS."""
    started_at, language, to_number = row[:3]
    if started_at.tzinfo is None:  # as SQLite's driver gives it: in UTC, as Django wrote it
        started_at = started_at.replace(tzinfo=UTC)
    return (started_at.astimezone(timezone.get_default_timezone()).date(), language, to_number)


# Kept for ever, the least used dropped past 4,096: a pure function of its argument, and calls
# take the same few paths through the tree.
@lru_cache(maxsize=4096)
def _figures(summary: tuple) -> frozenset:
    """call_figures() of a call's FIGURE_SUMMARY values."""
    return frozenset(call_figures(**dict(zip(FIGURE_SUMMARY, summary, strict=True))))


def counts_move(before: dict[str, tuple], after: dict[str, tuple]) -> None:
    """Move the day's counts of calls from what they counted for before to what they count
    for after (a call's language, number, day or summary may each have changed)."""
    moves = Counter()
    for sid in before.keys() | after.keys():
        old, new = before.get(sid), after.get(sid)
        if old == new:
            continue
        if old is not None and new is not None and old[:3] == new[:3]:
            # The same day's counts (the common case: a step): only the figures that changed.
            group, was, now = _group(old), _figures(old[3:]), _figures(new[3:])
            moves.subtract(group + figure for figure in was - now)
            moves.update(group + figure for figure in now - was)
            continue
        if old is not None:
            moves.subtract(_counts_of(old))
        if new is not None:
            moves.update(_counts_of(new))
    day_counts_add(moves)


def day_counts_add(moves: Counter) -> None:
    """Add to the day's counts, by (day, language, number, figure, key); a negative takes away.

    In one order on every writer: with row locks (PostgreSQL) none waits for another in a
    circle."""
    params = [
        [connection.ops.adapt_datefield_value(day), *rest, n]
        for (day, *rest), n in sorted(moves.items())
        if n
    ]
    if not params:
        return
    statement = _add_statement()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(statement, params)
        else:
            for one in params:
                cursor.execute(statement, one)


def day_counts_prune(*, before: datetime) -> None:
    """Drop the counts of the days before this time's that are left at nothing (a purge's):
    a write that makes one again inserts it again."""
    day = timezone.localdate(before, timezone.get_default_timezone())
    DayCount.objects.filter(day__lt=day, count=0).delete()


# Kept for ever: the SQL follows the model and the database's kind, fixed for a process.
@cache
def _add_statement() -> str:
    """INSERT a day's count, or add to the one there (ON CONFLICT works the same on SQLite and
    PostgreSQL)."""
    q = connection.ops.quote_name
    table = q(DayCount._meta.db_table)
    group = ", ".join(q(DayCount._meta.get_field(name).column) for name in DAY_COUNT_GROUP)
    count = q(DayCount._meta.get_field("count").column)
    values = ", ".join(["%s"] * (len(DAY_COUNT_GROUP) + 1))
    return (
        f"INSERT INTO {table} ({group}, {count}) VALUES ({values}) "
        f"ON CONFLICT ({group}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )


def day_counts_recount(*, call_model=Call, count_model=DayCount) -> int:
    """Count every day again from the calls, in one grouped read of them (after an upgrade
    while older code still wrote calls, or a change of time zone); how many counts it made.

    The models are the migration's own when it runs this."""
    counts = Counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Writers wait to move counts until the recount is in: what they moved from is
            # what it read (a change they have not committed is not), so none is lost.
            table = connection.ops.quote_name(count_model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        groups = (
            call_model.objects.order_by()
            .annotate(day=TruncDate("started_at", tzinfo=timezone.get_default_timezone()))
            .values_list("day", "language", "to_number", *FIGURE_SUMMARY)
            .annotate(calls=Count("pk"))
        )
        for day, language, to_number, *values, n in groups.iterator():
            for figure, key in call_figures(**dict(zip(FIGURE_SUMMARY, values, strict=True))):
                counts[(day, language, to_number, figure, key)] += n
        count_model.objects.all().delete()
        count_model.objects.bulk_create(
            [
                count_model(**dict(zip(DAY_COUNT_GROUP, group, strict=True)), count=n)
                for group, n in sorted(counts.items())
            ],
            batch_size=1000,
        )
    return len(counts)
