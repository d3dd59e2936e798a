"""Writers sharing PostgreSQL take their rows' locks in one order, so none deadlocks another."""

import pytest
from django.db import connection
from django.utils import timezone

from calllog.models import Call, Step
from calllog.services import entries_write

pytestmark = pytest.mark.django_db


def entry(record: str, call_sid: str, **fields) -> dict:
    return {"record": record, "at": timezone.now().isoformat(), "call_sid": call_sid, **fields}


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

    with connection.execute_wrapper(watch):
        entries_write(group)
    calls = [call_sid for table, call_sid in written if table == "calllog_call"]
    steps = [call_sid for table, call_sid in written if table == "calllog_step"]
    assert calls == sorted(calls)
    assert set(calls) == {"CAa", "CAm", "CAz"}
    assert steps == ["CAa", "CAm", "CAz"]
    assert written.index(("calllog_step", "CAa")) > len(calls) - 1
    assert Call.objects.get(call_sid="CAz").chose_planets
