"""A caller is never cut off by our own faults: the real server, killed, restarted, locked out."""

import errno
import os
import signal
import sqlite3
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.conftest import spoken
from tests.server import TOKEN, Cable, dump_log, prepare_database, server_env, serving

# A caller's path through the tree: the planet directory, Dagobah, busy, silence at the voicemail
# offer, back with *, welcome again.
PATH = [{"Digits": "2"}, {"Digits": "3"}, {"DialCallStatus": "busy"}, {}, {"Digits": "*"}]
# Generous bounds for the figures the issue asks for (1 s, 2 s): they cannot flake on a slow
# machine, yet a caller waiting on the database (20 s before) or on a lock would break them.
# docs/performance.md reports the measured figures.
ANSWER_BOUND_S = 5.0
APOLOGY = "We are sorry, something went wrong on our side."
MIGRATE_REQ = Path("/proc/sys/net/ipv4/tcp_migrate_req")


@dataclass
class Walk:
    """What one caller got: the step sequences answered with TwiML, their documents, the error."""

    answered: list[int] = field(default_factory=list)
    documents: list[bytes] = field(default_factory=list)
    slowest: float = 0.0
    error: Exception | None = None
    # The step sequence of the request that failed, if one did.
    failed_step: int | None = None
    # Steps that got no answer and were answered through the Fallback URL instead.
    fallbacks: int = 0


def post(base: str, url: str, params: dict) -> requests.Response:
    """One signed request on a connection of its own, as Twilio makes them."""
    signature = RequestValidator(TOKEN).compute_signature(f"{base}{url}", params)
    return requests.post(
        f"{base}{url}",
        data=params,
        headers={"X-Twilio-Signature": signature, "Connection": "close"},
        timeout=30,
    )


def ask(base: str, url: str, params: dict, result: Walk) -> requests.Response:
    """One step as Twilio asks it: when the request gets no whole answer (its connection reset
    or refused, or cut in the middle of the answer), Twilio asks the number's Fallback URL, with
    the URL that failed."""
    try:
        return post(base, url, params)
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
        result.fallbacks += 1
        failed = {"ErrorCode": "11200", "ErrorUrl": f"{base}{url}"}
        return post(base, "/ivr/fallback", {**params, **failed})


def walk(base: str, sid: str) -> Walk:
    """One call along PATH, following the app's own URLs, until the end or the first failure."""
    result, caller = Walk(), {"CallSid": sid, "From": "+19295550123", "To": "+18005550100"}
    url, params, inputs = "/ivr/welcome", {}, list(PATH)
    try:
        while url is not None:
            sequence = int(parse_qs(urlsplit(url).query).get("step", ["0"])[0])
            started = time.monotonic()
            response = ask(base, url, {**caller, **params}, result)
            result.slowest = max(result.slowest, time.monotonic() - started)
            response.raise_for_status()
            root = ET.fromstring(response.content)
            result.answered.append(sequence)
            result.documents.append(response.content)
            # Twilio follows a Redirect with no input, and a Gather's or Dial's action with it.
            redirect = root.find("Redirect")
            action = next((e.get("action") for e in root.iter() if e.get("action")), None)
            if redirect is not None:
                url, params = redirect.text, {}
            elif action is not None and inputs:
                url, params = action, inputs.pop(0)
            else:
                url = None
    except Exception as error:  # the caller's view: any failure ends the call; tests count them
        result.error, result.failed_step = error, sequence
    return result


def calls(base: str, sids: list[str], *, threads: int = 6) -> dict[str, Walk]:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return dict(zip(sids, pool.map(lambda sid: walk(base, sid), sids), strict=True))


def wait_for(condition, *, seconds: float, what: str):
    """Poll condition() until it is truthy (bounded); returns its value."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.5)
    return value


def missing_from_log(env: dict, walks: dict[str, Walk]) -> dict[str, list[int]]:
    """The answered steps the call log does not have (empty when the log has them all)."""
    log = dump_log(env)
    return {
        sid: missing
        for sid, result in walks.items()
        if (missing := sorted(set(result.answered) - set(log.get(sid, []))))
    }


def test_a_killed_worker_is_replaced_and_every_answered_step_is_logged(tmp_path, database_url):
    env = server_env(database_url)
    prepare_database(env)
    with serving(env, workers=3, log_path=tmp_path / "server.log") as server:
        before = server.workers()
        assert len(before) == 3
        with ThreadPoolExecutor(max_workers=1) as killer:

            def kill_a_worker_soon():
                time.sleep(1.0)
                os.kill(before[0], signal.SIGKILL)
                return time.monotonic()

            killed = killer.submit(kill_a_worker_soon)
            during = calls(server.base, [f"CAkill{n:03d}" for n in range(90)])
            killed_at = killed.result()
        replaced = wait_for(
            lambda: len(w := server.workers()) == 3 and before[0] not in w and w,
            seconds=30,
            what="the killed worker replaced",
        )
        print(f"worker replaced within {time.monotonic() - killed_at:.1f} s of the kill")
        after = calls(server.base, [f"CAafter{n:03d}" for n in range(12)])
        walks = {**during, **after}
        wait_for(
            lambda: not missing_from_log(env, walks), seconds=30, what="every answered step logged"
        )

    failed = [result.error for result in during.values() if result.error]
    print(f"requests failed by the kill: {len(failed)}")
    # Only requests in flight on the killed worker may fail: at most one per caller thread.
    assert len(failed) <= 6, failed
    assert all(isinstance(error, requests.ConnectionError) for error in failed), failed
    assert sum(len(result.answered) for result in during.values()) > 200
    assert [result.error for result in after.values()] == [None] * 12
    assert set(before[1:]) <= set(replaced)
    assert missing_from_log(env, walks) == {}


@pytest.fixture
def queued_connections_migrate():
    """The kernel setting a reload needs (docs/operating.md, Upgrades): granian gives each worker a
    listening socket of its own, and connections queued on a replaced worker's socket move to
    another worker only with net.ipv4.tcp_migrate_req=1 (Linux 5.14+); else they are reset."""
    try:
        before = MIGRATE_REQ.read_text().strip()
    except OSError:
        pytest.skip("needs Linux 5.14+ for net.ipv4.tcp_migrate_req")
    changed = False
    if before != "1":
        try:
            MIGRATE_REQ.write_text("1")
            changed = True
        except OSError:
            pass  # the Fallback URL still answers what a reset left unanswered
    yield
    if changed:
        MIGRATE_REQ.write_text(before)


@pytest.mark.usefixtures("queued_connections_migrate")
def test_a_graceful_reload_under_load_fails_no_request(tmp_path, database_url):
    """SIGHUP, as a deploy sends it: new workers start, old ones finish their requests. A
    connection a replaced worker had accepted but not read yet is reset (granian); Twilio then
    asks the Fallback URL, which answers that step: the caller hears no difference."""
    env = server_env(database_url)
    prepare_database(env)
    with serving(env, workers=2, log_path=tmp_path / "server.log") as server:
        before = server.workers()
        stop, walks, counter = threading.Event(), {}, iter(range(10**6))

        def caller():
            while not stop.is_set():
                sid = f"CAhup{next(counter):05d}"
                walks[sid] = walk(server.base, sid)

        with ThreadPoolExecutor(max_workers=4) as pool:
            for _ in range(4):
                pool.submit(caller)
            time.sleep(1.0)
            server.process.send_signal(signal.SIGHUP)
            wait_for(
                lambda: not set(before) & set(server.workers()),
                seconds=60,
                what="every worker replaced",
            )
            time.sleep(1.0)
            stop.set()
        assert len(server.workers()) == 2
    assert [result.error for result in walks.values() if result.error] == []
    documents = [document for result in walks.values() for document in result.documents]
    assert not [document for document in documents if APOLOGY.encode() in document]
    assert len(documents) > 100
    assert missing_from_log(env, walks) == {}
    fallbacks = sum(result.fallbacks for result in walks.values())
    print(f"\nreload: {len(documents)} answers, {fallbacks} of them through the Fallback URL")


def test_a_stop_under_load_finishes_the_requests_in_flight_and_logs_them(tmp_path, database_url):
    """SIGTERM: every request the app began to handle is answered; new connections are refused."""
    env = server_env(database_url)
    prepare_database(env)
    with serving(env, workers=2, log_path=tmp_path / "server.log") as server:
        stop, walks, counter = threading.Event(), {}, iter(range(10**6))

        def caller():
            while not stop.is_set():
                sid = f"CAterm{next(counter):05d}"
                walks[sid] = result = walk(server.base, sid)
                if result.error is not None:
                    return

        with ThreadPoolExecutor(max_workers=4) as pool:
            for _ in range(4):
                pool.submit(caller)
            time.sleep(1.5)
            server.process.send_signal(signal.SIGTERM)
            assert server.process.wait(timeout=60) == 0
            stop.set()
        # Right after the stop, with no server running: the workers wrote and removed their
        # spools at exit.
        assert missing_from_log(env, walks) == {}
        assert os.listdir(env["CALL_LOG_SPOOL_DIR"]) == []

    # A request the app began to handle is in the log (it is logged before it is answered):
    # each of those was answered. What failed never reached the app: connections refused, or
    # reset while still waiting in the listening socket's queue when it closed.
    log = dump_log(env)
    dropped = {
        sid: (result.failed_step, result.error)
        for sid, result in walks.items()
        if result.error is not None and result.failed_step in log.get(sid, [])
    }
    assert dropped == {}
    failed = [result.error for result in walks.values() if result.error is not None]
    assert all(isinstance(error, requests.ConnectionError) for error in failed), failed
    assert sum(len(result.answered) for result in walks.values()) > 50


class WriteLock:
    """Holds the database's write lock from another connection, as a backup or a purge does."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.held = threading.Event()

    def hold(self, seconds: float) -> None:
        if self.database_url.startswith("sqlite"):
            connection = sqlite3.connect(self.database_url.removeprefix("sqlite:///"))
            connection.isolation_level = None
            connection.execute("BEGIN IMMEDIATE")
        else:
            connection = psycopg.connect(self.database_url)
            tables = connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
            # EXCLUSIVE lets others read and stops every write, for every table.
            names = ", ".join(f'"{name}"' for (name,) in tables)
            connection.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
        self.held.set()
        time.sleep(seconds)
        connection.rollback()
        connection.close()


def test_a_write_locked_database_delays_the_log_never_the_caller(tmp_path, database_url):
    env = server_env(database_url)
    prepare_database(env)
    with serving(env, workers=2, log_path=tmp_path / "server.log") as server:
        reference = walk(server.base, "CAreference")
        assert reference.error is None
        lock = WriteLock(database_url)
        with ThreadPoolExecutor(max_workers=1) as holder:
            held = holder.submit(lock.hold, 25)
            assert lock.held.wait(timeout=10)
            started = time.monotonic()
            during = calls(server.base, [f"CAlocked{n:03d}" for n in range(40)], threads=4)
            assert time.monotonic() - started < 25, "the calls must all run while it is locked"
            held.result()
        wait_for(lambda: not missing_from_log(env, during), seconds=60, what="the log caught up")
        log = dump_log(env)
    for sid, result in during.items():
        assert result.error is None
        assert result.slowest < ANSWER_BOUND_S
        assert result.documents == reference.documents
        assert log[sid] == result.answered  # none missing, none doubled
    print(f"slowest answer under the lock: {max(r.slowest for r in during.values()):.3f} s")


def test_a_database_gone_from_the_network_is_answered_with_the_apology(tmp_path, postgres_database):
    url = urlsplit(postgres_database)
    cable = Cable(url.hostname, url.port)
    env = server_env(url._replace(netloc=f"{url.username}@127.0.0.1:{cable.port}").geturl())
    prepare_database(env)
    with serving(env, workers=1, log_path=tmp_path / "server.log") as server:
        assert walk(server.base, "CAbefore").error is None
        cable.pull()
        # Twice: the first finds its kept connection cut, the second waits for a new one.
        for n in range(2):
            started = time.monotonic()
            response = post(server.base, "/ivr/welcome", {"CallSid": f"CAgone{n}"})
            elapsed = time.monotonic() - started
            root = ET.fromstring(response.content)
            assert response.status_code == 200
            assert spoken(root) == [APOLOGY]
            assert elapsed < ANSWER_BOUND_S
            print(f"apology {n + 1} with the database gone: {elapsed:.3f} s")
        assert requests.get(f"{server.base}/health/database", timeout=30).status_code == 503
        cable.plug_back()
        after = wait_for(
            lambda: (w := walk(server.base, "CAafter")).error is None and w,
            seconds=30,
            what="answers again once the database is back",
        )
        assert after.documents[0] == walk(server.base, "CAagain").documents[0]
        walks = {"CAafter": after}
        wait_for(lambda: not missing_from_log(env, walks), seconds=30, what="the log resumed")


def test_an_unreadable_sqlite_file_is_answered_with_the_apology(tmp_path):
    database = tmp_path / "db.sqlite3"
    # No kept connections: each request opens the file anew, and finds what is there now.
    env = server_env(f"sqlite:///{database}", DATABASE_CONN_MAX_AGE="0")
    prepare_database(env)
    with serving(env, workers=1, log_path=tmp_path / "server.log") as server:
        assert walk(server.base, "CAbefore").error is None
        good = tmp_path / "good.sqlite3"
        database.rename(good)
        database.write_bytes(b"this is not a database, it is what a broken disk returned" * 100)
        started = time.monotonic()
        response = post(server.base, "/ivr/welcome", {"CallSid": "CAunreadable"})
        elapsed = time.monotonic() - started
        assert spoken(ET.fromstring(response.content)) == [APOLOGY]
        assert elapsed < ANSWER_BOUND_S
        print(f"apology with an unreadable database: {elapsed:.3f} s")
        good.replace(database)
        assert walk(server.base, "CAafter").error is None


@pytest.fixture
def small_disk(tmp_path):
    """A real 16 MB file system (tmpfs) that a test can fill; needs root, as CI has."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mount.stderr.strip()}")
    yield mountpoint
    subprocess.run(["umount", "--lazy", str(mountpoint)], check=True)


def fill(directory) -> int:
    """Write a file until the disk is full; returns the bytes written."""
    written, chunk = 0, b"\0" * 65536
    with open(directory / "filler", "wb", buffering=0) as filler:
        while True:
            try:
                written += filler.write(chunk)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                return written


def test_a_full_disk_is_an_error_in_the_log_and_an_ordinary_answer(tmp_path, small_disk):
    env = server_env(
        f"sqlite:///{small_disk / 'db.sqlite3'}", CALL_LOG_SPOOL_DIR=str(small_disk / "spool")
    )
    prepare_database(env)
    log_path = tmp_path / "server.log"
    with serving(env, workers=1, log_path=log_path) as server:
        reference = walk(server.base, "CAreference")
        assert fill(small_disk) > 0
        during = calls(server.base, [f"CAfull{n:02d}" for n in range(8)], threads=2)
        wait_for(
            lambda: "disk is full" in log_path.read_text(), seconds=30, what="the error logged"
        )
        (small_disk / "filler").unlink()
        wait_for(lambda: not missing_from_log(env, during), seconds=60, what="the log resumed")
    for result in during.values():
        assert result.error is None
        assert result.documents == reference.documents
    server_log = log_path.read_text()
    assert "ERROR calllog Call log delayed, nothing lost yet" in server_log
    assert "Call log writes resumed" in server_log


def test_a_read_only_database_is_an_error_in_the_log_and_an_ordinary_answer(
    tmp_path, postgres_database
):
    # Checked connections: a webhook whose connection the switch below cut opens a new one.
    env = server_env(postgres_database, DATABASE_CONN_HEALTH_CHECKS="true")
    prepare_database(env)
    name = urlsplit(postgres_database).path.lstrip("/")

    def read_only(on: bool) -> None:
        # As a failover to a standby does: every session from now on is read-only.
        with psycopg.connect(postgres_database, autocommit=True) as connection:
            connection.execute("SET default_transaction_read_only = off")
            switch = "on" if on else "off"
            connection.execute(
                f'ALTER DATABASE "{name}" SET default_transaction_read_only = {switch}'
            )
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )

    log_path = tmp_path / "server.log"
    with serving(env, workers=1, log_path=log_path) as server:
        reference = walk(server.base, "CAreference")
        read_only(True)
        during = calls(server.base, [f"CAro{n:02d}" for n in range(8)], threads=2)
        wait_for(
            lambda: "read-only transaction" in log_path.read_text(),
            seconds=30,
            what="the error logged",
        )
        assert missing_from_log(env, during) != {}
        read_only(False)
        wait_for(lambda: not missing_from_log(env, during), seconds=60, what="the log resumed")
    for result in during.values():
        assert result.error is None
        assert result.documents == reference.documents
    assert "ERROR calllog Call log delayed, nothing lost yet" in log_path.read_text()
