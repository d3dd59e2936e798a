"""/metrics tells what waits in the spools on this machine, and when writing them fails."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from calllog.spool import Spool
from calllog.spool_metrics import spools_collect
from calllog.writer import entries_write
from tests.conftest import counted
from tests.factories import log_entry

pytestmark = pytest.mark.django_db


def figures() -> dict:
    return {
        (family.name, sample.labels["spool"]): sample.value
        for family in spools_collect()
        for sample in family.samples
    }


def start(sid: str, at) -> dict:
    return log_entry("call_start", sid, at, from_number="+19295550123", to_number="+18005550100")


def test_waiting_entries_and_the_oldest_ones_age_are_read_from_the_files(tmp_path, settings):
    settings.CALL_LOG_SPOOL_DIR = str(tmp_path)
    calls = Spool(tmp_path, entries_write, background=False)
    texts = Spool(tmp_path / "texts", entries_write, background=False, label="texts")
    assert figures()[("etphone_spool_waiting_entries", "call_log")] == 0
    calls.append(start("CAs1", timezone.now() - timedelta(minutes=5)))
    calls.append(start("CAs2", timezone.now()))
    texts.append(start("CAs3", timezone.now()))
    waiting = figures()
    assert waiting[("etphone_spool_waiting_entries", "call_log")] == 2
    assert waiting[("etphone_spool_waiting_entries", "texts")] == 1
    assert 300 <= waiting[("etphone_spool_oldest_entry_age_seconds", "call_log")] < 3600
    assert calls.drain() is True
    drained = figures()
    assert drained[("etphone_spool_waiting_entries", "call_log")] == 0
    assert drained[("etphone_spool_oldest_entry_age_seconds", "call_log")] == 0


def test_a_failed_write_is_counted_and_nothing_is_lost(tmp_path, settings):
    settings.CALL_LOG_SPOOL_DIR = str(tmp_path)

    def database_is_down(entries):
        raise OperationalError("database is locked")

    spool = Spool(tmp_path, database_is_down, background=False)
    failures = counted("etphone_spool_write_failures_total", spool="call_log")
    spool.append(start("CAs4", timezone.now()))
    assert spool.drain() is False
    assert counted("etphone_spool_write_failures_total", spool="call_log") == failures + 1
    assert figures()[("etphone_spool_waiting_entries", "call_log")] == 1


def test_without_a_spool_folder_nothing_is_served(settings):
    settings.CALL_LOG_SPOOL_DIR = None
    assert figures() == {}
