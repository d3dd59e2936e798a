"""Keeping the call log in shape: purging old calls with what the other rooms keep about them,
the planner's statistics, and patience for SQLite's write lock."""

from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, transaction

from .counts import calls_lock, counted, counts_move, day_counts_prune
from .models import (
    Call,
    Step,
    Utterance,
)

# Maintenance waits its turn for SQLite's write lock this long: the call log's writers take it
# many times a second under load, and SQLite's wait is no queue, so DATABASE_TIMEOUT (meant
# for a caller's request) can pass before a purge's turn comes. No caller waits on a purge.
MAINTENANCE_LOCK_WAIT_SECONDS = 120


@contextmanager
def maintenance_patience():
    """While inside, this connection waits for the write lock as maintenance may (SQLite)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {MAINTENANCE_LOCK_WAIT_SECONDS * 1000}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(before)}")


# What rooms above the call log keep about calls, purged with them: each registers (in its
# AppConfig.ready()) a function of the cut-off time that deletes its own and says what it did;
# one that had to keep some raises PurgeKept.
_purges: list[Callable[[datetime], str]] = []


class PurgeKept(Exception):
    """A purge deleted what it could and kept some: what it did, and what it kept and why."""

    def __init__(self, said: str, kept: str):
        super().__init__(kept)
        self.said, self.kept = said, kept


def purge_register(purge: Callable[[datetime], str]) -> None:
    """Have purge_calls run this purge too (see _purges)."""
    if purge not in _purges:
        _purges.append(purge)


def others_purge(*, before: datetime) -> tuple[list[str], list[str]]:
    """Run every registered purge: what each said it did, and what any kept and why."""
    said, kept = [], []
    for purge in _purges:
        try:
            said.append(purge(before))
        except PurgeKept as partly:
            said.append(partly.said)
            kept.append(partly.kept)
    return said, kept


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
            # What the calls counted for leaves the day's counts with them.
            calls_lock(sids)
            gone = counted(sids)
            steps += Step.objects.filter(call__in=sids).delete()[0]
            Utterance.objects.filter(call__in=sids).delete()
            calls += Call.objects.filter(call_sid__in=sids).delete()[0]
            counts_move(gone, {})
        batches += 1
    day_counts_prune(before=before)
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
