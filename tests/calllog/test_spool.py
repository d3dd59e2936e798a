"""The call log's spool keeps every entry until the database has it: crashes, full disks."""

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from calllog import services
from calllog.models import Call, Step, Utterance
from calllog.spool import Spool
from calllog.writer import entries_write
from tests.factories import log_entry, step_entry
from voicemail import services as voicemail
from voicemail.models import Voicemail

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


NUMBERS = {"from_number": "+19295550123", "to_number": "+18005550100"}


def start(sid: str) -> dict:
    return log_entry("call_start", sid, "2026-11-24T10:00:00+00:00", **NUMBERS)


def step(sid: str, sequence: int) -> dict:
    return step_entry(sid, sequence, "2026-11-24T10:00:05+00:00", "menu_key", digits="2")


def end(sid: str) -> dict:
    at = "2026-11-24T10:01:00+00:00"
    return log_entry("call_end", sid, at, **NUMBERS, status="completed", duration=60)


def logged() -> list[tuple]:
    return [
        (call.call_sid, call.status, list(call.steps.values_list("sequence", flat=True)))
        for call in Call.objects.order_by("call_sid")
    ]


def spool_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


def test_entries_are_kept_in_a_file_until_a_drain_writes_them(tmp_path):
    spool = Spool(tmp_path, entries_write, background=False)
    for entry in [start("CA1"), step("CA1", 1), end("CA1")]:
        spool.append(entry)
    assert spool.backlog() == 3
    assert logged() == []
    assert spool.drain() is True
    assert logged() == [("CA1", "completed", [1])]
    assert spool.backlog() == 0
    assert spool.path.stat().st_size == 0


def test_writing_the_same_entries_twice_changes_nothing():
    entries = [start("CA1"), step("CA1", 1), step("CA1", 2), end("CA1")]
    entries_write(entries)
    first = list(Call.objects.values()), list(Step.objects.values())
    entries_write(entries)
    entries_write(list(reversed(entries)))
    assert (list(Call.objects.values()), list(Step.objects.values())) == first
    call = Call.objects.get()
    assert (call.started_at.isoformat(), call.ended_at.isoformat(), call.duration) == (
        "2026-11-24T10:00:00+00:00",
        "2026-11-24T10:01:00+00:00",
        60,
    )


def before_december_2026(entry: dict) -> dict:
    """An entry as the spool kept it before its type was named so: under "record"."""
    return {("record" if name == "type" else name): value for name, value in entry.items()}


def test_entries_spooled_before_an_upgrade_are_written_after_it(tmp_path):
    spool = Spool(tmp_path, entries_write, background=False)
    for entry in [start("CA1"), step("CA1", 1), end("CA1")]:
        spool.append(before_december_2026(entry))
    assert spool.drain() is True
    assert logged() == [("CA1", "completed", [1])]
    assert Call.objects.get().greeted_at is not None  # read as a call's start, not its language

    voicemails = Spool(tmp_path / "voicemail", voicemail.entries_write, background=False)
    fields = {"call_sid": "CA1", "planet_id": None, "language": "en-US", "inbox_url": ""}
    recording = log_entry("recording", recording_sid="RE" + "0" * 32, duration=7, **fields)
    transcription = log_entry("transcription", recording_sid="RE" + "1" * 32, text="Hi", **fields)
    for entry in (recording, transcription):
        voicemails.append(before_december_2026(entry))
    assert voicemails.drain() is True
    kept = Voicemail.objects.order_by("recording_sid").values_list("duration", "transcription")
    assert list(kept) == [(7, ""), (None, "Hi")]


def test_the_spool_of_a_killed_process_is_adopted_written_and_deleted(tmp_path):
    # A real process appends, its writer stuck, and is killed with SIGKILL.
    entries = [start("CA7"), step("CA7", 1), step("CA7", 2)]
    script = textwrap.dedent(
        f"""
        import os, signal, time
        from calllog.spool import Spool
        spool = Spool({str(tmp_path)!r}, lambda entries: time.sleep(60))
        for entry in {entries!r}:
            spool.append(entry)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    process = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=False)
    assert process.returncode == -9
    (left,) = spool_files(tmp_path)
    assert len(left.read_text().splitlines()) == 3

    assert Spool(tmp_path, entries_write, background=False).adopt_orphans() is True
    assert logged() == [("CA7", "", [1, 2])]
    assert spool_files(tmp_path) == []


def test_the_spool_of_a_live_process_is_left_to_it(tmp_path):
    live = Spool(tmp_path / "spool", lambda entries: None, background=False)
    live.append(start("CA1"))
    other = Spool(tmp_path / "spool", entries_write, background=False)
    assert other.adopt_orphans() is True
    assert logged() == []
    assert spool_files(tmp_path / "spool") == [live.path]


def test_a_line_cut_short_by_a_crash_is_skipped_and_the_rest_written(tmp_path, caplog):
    lines = [json.dumps(start("CA2")), json.dumps(step("CA2", 1)), "not json at all"]
    text = "\n".join(lines) + "\n" + json.dumps(step("CA2", 2))[:40]
    (tmp_path / "gone-1-abc.jsonl").write_text(text)
    with caplog.at_level(logging.ERROR, logger="calllog"):
        assert Spool(tmp_path, entries_write, background=False).adopt_orphans() is True
    assert logged() == [("CA2", "", [1])]
    assert "unreadable call-log spool line" in caplog.text


def test_a_full_disk_keeps_entries_in_memory_until_the_database_takes_them(tmp_path, caplog):
    spool = Spool(tmp_path, entries_write, background=False)
    spool.append(start("CA3"))
    # From now on the spool's file is /dev/full: every write fails with ENOSPC, as on a full disk.
    full = os.open("/dev/full", os.O_WRONLY)
    os.dup2(full, spool._fd)
    os.close(full)
    with caplog.at_level(logging.ERROR, logger="calllog"):
        spool.append(step("CA3", 1))
        spool.append(step("CA3", 2))
    assert "No space left on device" in caplog.text
    assert spool.drain() is True
    assert logged() == [("CA3", "", [1, 2])]


# Entries that bypassed storable() (spooled before it, or by a bug): the database refuses them.
REFUSED = {
    "negative step": {**step("CA-bad", 1), "sequence": -1},
    "NUL byte": {**start("CA-bad"), "from_number": "+1929\x00555"},
    "too long": {**start("CA-bad"), "from_number": "+1" * 20},
}
# SQLite stores NUL bytes and long texts; PostgreSQL does not.
POSTGRESQL_ONLY = {"NUL byte", "too long"}


@pytest.fixture(params=list(REFUSED))
def refused(request) -> dict:
    if request.param in POSTGRESQL_ONLY and connection.vendor != "postgresql":
        pytest.skip("SQLite stores it")
    return REFUSED[request.param]


def others() -> list[dict]:
    return [start("CA1"), step("CA1", 1), step("CA1", 2), end("CA1"), start("CA2"), step("CA2", 1)]


OTHERS_LOGGED = [("CA1", "completed", [1, 2]), ("CA2", "", [1])]


def set_aside(spool_file: Path) -> list[dict]:
    lines = spool_file.with_name(f"{spool_file.name}.rejected").read_text().splitlines()
    return [json.loads(line) for line in lines]


# Writes run in autocommit, as on the writer's thread, not in a test's transaction (on
# PostgreSQL a refused statement would end that transaction for the rest of the test).
@pytest.mark.django_db(transaction=True)
def test_an_entry_the_database_refuses_is_set_aside_and_the_others_written(
    tmp_path, refused, caplog
):
    spool = Spool(tmp_path, entries_write, background=False)
    entries = others()
    for entry in [*entries[:3], refused, *entries[3:]]:
        spool.append(entry)
    with caplog.at_level(logging.ERROR, logger="calllog"):
        assert spool.drain() is True
    assert logged() == OTHERS_LOGGED
    assert set_aside(spool.path) == [refused]
    assert json.dumps(refused, separators=(",", ":")) in caplog.text
    assert spool.backlog() == 0
    assert spool.path.stat().st_size == 0


@pytest.mark.django_db(transaction=True)
def test_an_entry_refused_in_an_orphan_file_is_set_aside_and_the_file_written(tmp_path, caplog):
    # A lone surrogate has no UTF-8 (the spool writes it as JSON's escape): both databases
    # refuse it.
    refused = {**start("CA-bad"), "from_number": "+1929\ud800"}
    entries = others()
    orphan = tmp_path / "gone-1-abc.jsonl"
    orphan.write_text("".join(json.dumps(e) + "\n" for e in [refused, *entries]))
    with caplog.at_level(logging.ERROR, logger="calllog"):
        assert Spool(tmp_path, entries_write, background=False).adopt_orphans() is True
    assert logged() == OTHERS_LOGGED
    assert set_aside(orphan) == [refused]
    assert json.dumps(refused, separators=(",", ":")) in caplog.text
    assert spool_files(tmp_path) == []


@pytest.mark.django_db(transaction=True)
def test_a_rejected_file_renamed_to_jsonl_is_written_once_its_cause_is_gone(tmp_path):
    """The docs' way to replay what was set aside (docs/operating.md): rename the file, a spool
    adopts it."""
    rejected = tmp_path / "gone-1-abc.jsonl.rejected"
    rejected.write_text("".join(json.dumps(e) + "\n" for e in others()))

    rejected.rename(tmp_path / "retry.jsonl")
    assert Spool(tmp_path, entries_write, background=False).adopt_orphans() is True

    assert logged() == OTHERS_LOGGED
    assert spool_files(tmp_path) == []


def refuse_every_query(execute, sql, params, many, context):
    raise OperationalError("the database system is shutting down")


@pytest.mark.django_db(transaction=True)
def test_a_fault_of_the_database_sets_nothing_aside_and_is_retried(tmp_path):
    spool = Spool(tmp_path, entries_write, background=False)
    for entry in others():
        spool.append(entry)
    with connection.execute_wrapper(refuse_every_query):
        assert spool.drain() is False
    assert spool.backlog() == len(others())
    assert list(tmp_path.glob("*.rejected")) == []

    assert spool.drain() is True
    assert logged() == OTHERS_LOGGED


def test_nul_bytes_twilio_sends_are_cleaned_and_the_calls_after_them_written(
    client, demo, tmp_path, monkeypatch
):
    spool = Spool(tmp_path, entries_write, background=False)
    monkeypatch.setattr(services, "_spool", lambda: spool)
    nul = {"CallSid": "CA-nul", "From": "+1929\x00555", "To": "+1800\x00555"}
    nul["CallerName"] = "DARTH\x00VADER"
    client.post(reverse("ivr:welcome"), nul)
    said = {"SpeechResult": "Dago\x00bah please", "Confidence": "0.9"}
    client.post(f"{reverse('ivr:menu')}?step=1", {**nul, **said})
    client.post(reverse("ivr:status"), {**nul, "CallStatus": "completed", "CallDuration": "30"})
    after = [f"CA-after-{n}" for n in range(3)]
    for sid in after:
        caller = {"CallSid": sid, "From": "+19295550123", "To": "+18005550100"}
        client.post(reverse("ivr:welcome"), caller)
        client.post(reverse("ivr:status"), {**caller, "CallStatus": "busy", "CallDuration": "0"})

    assert spool.drain() is True
    call = Call.objects.get(call_sid="CA-nul")
    assert (call.from_number, call.to_number, call.status) == ("+1929555", "+1800555", "completed")
    assert list(call.steps.values_list("sequence", "kind")) == [(1, Step.Kind.MENU_KEY)]
    assert Utterance.objects.get(call=call).heard == "Dagobah please"
    assert list(Call.objects.filter(call_sid__in=after).values_list("status", flat=True)) == [
        "busy"
    ] * len(after)
    assert list(tmp_path.glob("*.rejected")) == []
