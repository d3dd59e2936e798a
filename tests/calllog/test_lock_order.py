"""Writers sharing PostgreSQL take their rows' locks in one order, so none deadlocks another,
and hold the calls they write, so none moves a call's counts from what another changed."""

import threading

import pytest
from django.db import connection, transaction

from calllog.counts import calls_lock
from calllog.models import Call, DayCount, Step
from calllog.writer import entries_write
from tests.factories import log_entry

pytestmark = pytest.mark.django_db


def entry(record: str, call_sid: str, **fields) -> dict:
    return log_entry(record, call_sid, **fields)


def step(call_sid: str, sequence: int, digits: str) -> dict:
    fields = {"sequence": sequence, "kind": Step.Kind.MENU_KEY, "digits": digits}
    fields |= {"planet_id": None, "dial_status": "", "dial_duration": None}
    return entry("step", call_sid, idempotency_token="", **fields)


def test_a_group_writes_the_calls_rows_in_callsid_order_then_the_steps(demo):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer at a time: its rows go by kind, no lock order needed")
    group = [
        entry("call_start", "CAz", from_number="+1", to_number="+2", language="en-GB"),
        step("CAz", 1, "2"),
        entry("call_start", "CAa", from_number="+1", to_number="+2", language="en-GB"),
        step("CAa", 1, "1"),
        step("CAm", 1, "2"),
    ]
    written = []

    def watch(execute, sql, params, many, context):
        if sql.startswith("INSERT"):
            written.append((sql.split('"')[1], params[0]))
        return execute(sql, params, many, context)

    counts = []

    def watch_counts(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "calllog_daycount"'):
            counts.append(tuple(params[:5]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch), connection.execute_wrapper(watch_counts):
        entries_write(group)
    calls = [call_sid for table, call_sid in written if table == "calllog_call"]
    steps = [call_sid for table, call_sid in written if table == "calllog_step"]
    assert calls == sorted(calls)
    assert set(calls) == {"CAa", "CAm", "CAz"}
    assert steps == ["CAa", "CAm", "CAz"]
    assert written.index(("calllog_step", "CAa")) > len(calls) - 1
    assert Call.objects.get(call_sid="CAz").chose_planets
    # Then the day's counts the calls moved, in one order too.
    assert written[-1][0] == "calllog_daycount"
    assert counts == sorted(counts)
    assert len(counts) > 1


def test_a_writer_waits_while_another_holds_the_same_call(transactional_db):
    """A writer reads what its calls counted for, then changes them: another writer of the
    same call (another app server's spool) waits until the first has moved its counts."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer at a time: its IMMEDIATE transaction holds it all")
    held, release, written = threading.Event(), threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                calls_lock(["CA1"])
                held.set()
                release.wait(10)
        finally:
            connection.close()

    def write():
        try:
            entries_write([entry("call_start", "CA1", from_number="+1", to_number="+2")])
            written.set()
        finally:
            connection.close()

    holder, writer = threading.Thread(target=hold), threading.Thread(target=write)
    holder.start()
    assert held.wait(10)
    writer.start()
    try:
        assert not written.wait(0.5)
    finally:
        release.set()
        holder.join()
        writer.join(10)
    assert written.is_set()
    assert DayCount.objects.get(figure="calls").count == 1
