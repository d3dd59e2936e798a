"""The call log's write-behind spool: a webhook appends its entry to a file, a thread writes it.

A caller's answer must never wait for the database (a backup, a purge or a long admin
transaction may hold SQLite's write lock for longer than Twilio waits). So a webhook appends
one JSON line to its process's spool file, which costs a system call and survives the process
being killed, and answers. A background thread in the same process writes what is waiting to
the database in groups, one transaction each, and empties the file once all of it is written.

Each process holds an exclusive lock (flock) on its own file for as long as it lives. A file
whose lock nobody holds belongs to a process that died: any other process adopts it, writes it
and deletes it. Writing an entry twice is harmless, as every write is idempotent (the call
log's unique constraints), so a crash at any moment loses nothing and doubles nothing.

An entry's texts are made storable (calllog/entries.py) before it is spooled. One the database
still refuses is set aside, in a `.rejected` file beside its spool file and in the server log,
and the entries behind it are written: one bad value never holds back a process's log.
"""

import atexit
import contextlib
import fcntl
import json
import logging
import multiprocessing.util
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import DataError, IntegrityError, connection

from metrics import registry as metrics

logger = logging.getLogger("calllog")

# Entries written to the database per transaction: short enough not to hold a write lock long.
BATCH = 500
# How often a process looks for the spool files of processes that died.
ADOPT_EVERY_SECONDS = 5.0
# Woken by an entry, the writer waits this long for others: under load, one transaction then
# writes many steps instead of one each, and the workers spend their time answering callers.
LINGER_SECONDS = 0.05
# After a failed write the thread waits, doubling from the first to the last, before retrying.
RETRY_SECONDS = (0.25, 5.0)
# Entries kept in memory at most while the spool file cannot be written (a full disk).
MEMORY_LIMIT = 100_000
# How often a fault that lasts is logged again, with the number of entries waiting.
REMIND_EVERY_SECONDS = 60.0
# A write that fails with one of these fails for what its entries hold (a value the database
# refuses, an entry of the wrong shape), not for the database's state: retried as it is, it
# would fail for ever. Faults of the database itself (down, locked) are retried.
REFUSED = (DataError, IntegrityError, ValueError, TypeError, LookupError)


def _lines(fd: int, start: int, end: int) -> Iterator[tuple[dict, int]]:
    """The entries between two offsets of a spool file, each with the offset just after it."""
    data = os.pread(fd, end - start, start)
    offset = start
    for raw in data.splitlines(keepends=True):
        offset += len(raw)
        # A line without its newline was cut by a crash mid-write: its request got no answer.
        if not raw.endswith(b"\n"):
            return
        try:
            yield json.loads(raw), offset
        except ValueError:
            logger.error("Skipped an unreadable call-log spool line at byte %s", offset - len(raw))


def _rejected(path: Path) -> Path:
    """Where the entries of a spool file that the database refuses are kept: beside it, by a
    name no spool adopts."""
    return path.with_name(f"{path.name}.rejected")


class Spool:
    """One process's spool of call-log entries waiting to be written to the database."""

    def __init__(
        self,
        directory: Path,
        write: Callable[[list[dict]], None],
        *,
        background: bool = True,
        label: str = "call log",
    ):
        self.directory = Path(directory)
        # What the entries are, as the server log names them (the voicemail app has a spool too),
        # and as /metrics does.
        self.label = label
        self.name = label.replace(" ", "_")
        # Writes a group of entries in one transaction, all or none: a group that fails is
        # written again, whole or in halves (_write_all()).
        self._write = write
        # Without a background thread, entries wait for drain() (tests call it themselves).
        self._background = background
        self._lock = threading.Lock()
        # One drain at a time: the writer thread's, or the last one at exit.
        self._draining = threading.Lock()
        self._wake = threading.Event()
        self._pid = None
        self._fd = None
        self.path = None
        # Bytes in our file, and how many of them are in the database already.
        self._size = self._written = 0
        # Entries that could not be put in the file (disk full): kept until they are written.
        self._memory: list[dict] = []
        self._thread_pid = None
        self._fault = ""
        self._fault_logged_at = 0.0

    # The webhook's side.

    def append(self, entry: dict) -> None:
        """Keep one entry for the database; never raises, never waits for the database."""
        line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self._lock:
            try:
                self._open()
                written = os.write(self._fd, line)
                if written != len(line):
                    raise OSError(f"short write ({written} of {len(line)} bytes)")
                self._size += written
            except OSError as error:
                self._forget_partial_line()
                if len(self._memory) < MEMORY_LIMIT:
                    self._memory.append(entry)
                self._report(f"cannot write the spool file in {self.directory}: {error}")
        if self._background:
            self.start()
            self._wake.set()

    def start(self) -> None:
        """Start this process's writer thread, unless it runs already."""
        if self._thread_pid == os.getpid():
            return  # the common case, decided without waiting for the writer's lock
        with self._lock:
            # A forked child has none of its parent's threads: it starts its own.
            if self._thread_pid == os.getpid():
                return
            self._thread_pid = os.getpid()
        threading.Thread(target=self._run, name=f"{self.name}-spool", daemon=True).start()
        # At exit, a last drain: atexit for a plain process, a finalizer for a worker that
        # multiprocessing started (it leaves through os._exit, skipping atexit).
        atexit.register(self.close)
        multiprocessing.util.Finalize(self, self.close, exitpriority=10)

    def _open(self) -> None:
        # A forked child must not share its parent's file (nor its lock): it gets its own.
        if self._fd is not None and self._pid == os.getpid():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        # Locked before it gets the name others look for, so it is never mistaken for an orphan.
        temporary = self.directory / f"{name}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.path = self.directory / f"{name}.jsonl"
        os.rename(temporary, self.path)
        self._fd, self._pid, self._size, self._written = fd, os.getpid(), 0, 0

    def _forget_partial_line(self) -> None:
        # A write cut short by a full disk leaves part of a line; the next one must start clean.
        if self._fd is not None and self._pid == os.getpid():
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)

    # The writer's side.

    def backlog(self) -> int:
        """How many entries of this process wait to be written to the database."""
        with self._lock:
            waiting = len(self._memory)
            if self.path is not None and self._size > self._written:
                with open(self.path, "rb") as file:
                    file.seek(self._written)
                    waiting += file.read(self._size - self._written).count(b"\n")
            return waiting

    def drain(self) -> bool:
        """Write everything waiting in this process's file and memory; True if all of it was."""
        with self._draining:
            return self._drain()

    def _drain(self) -> bool:
        with self._lock:
            fd, path, start, end = self._fd, self.path, self._written, self._size
            memory = list(self._memory)
        # Entries set aside go beside this process's file (without one, to the server log only).
        rejected = None if path is None else _rejected(path)
        try:
            if fd is not None and end > start:
                reader = os.open(path, os.O_RDONLY)
                try:
                    self._write_lines(reader, start, end, self._mark_written, rejected)
                finally:
                    os.close(reader)
            for first in range(0, len(memory), BATCH):
                self._write_all(memory[first : first + BATCH], rejected)
        except Exception as error:
            self._failed(error)
            return False
        with self._lock:
            del self._memory[: len(memory)]
            if self._fd is not None and self._written == self._size:
                with contextlib.suppress(OSError):  # if it cannot shrink, it goes on growing
                    os.ftruncate(self._fd, 0)
                    self._size = self._written = 0
        self._recovered()
        return True

    def _mark_written(self, offset: int) -> None:
        with self._lock:
            self._written = offset

    def _write_lines(self, fd: int, start: int, end: int, progress, rejected: Path | None) -> None:
        batch, offset = [], start
        for entry, offset in _lines(fd, start, end):
            batch.append(entry)
            if len(batch) == BATCH:
                self._write_all(batch, rejected)
                progress(offset)
                batch = []
        if batch:
            self._write_all(batch, rejected)
        progress(offset)

    def _write_all(self, entries: list[dict], rejected: Path | None) -> None:
        """Write a group of entries; a fault of the database raises, for all of it to wait.

        A group the database refuses for what it holds is split in halves, and they are written
        the same way, until the entry at fault is alone: it is set aside, never the others."""
        try:
            self._write(entries)
        except REFUSED as error:
            if len(entries) == 1:
                self._set_aside(entries[0], error, rejected)
                return
            middle = len(entries) // 2
            self._write_all(entries[:middle], rejected)
            self._write_all(entries[middle:], rejected)

    def _set_aside(self, entry: dict, error: Exception, rejected: Path | None) -> None:
        # ASCII JSON: a lone surrogate (one reason to be refused) is written as its escape.
        line = json.dumps(entry, separators=(",", ":"))
        kept = "in the server log only"
        if rejected is not None:
            try:
                fd = os.open(rejected, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, (line + "\n").encode())
                finally:
                    os.close(fd)
                kept = f"kept in {rejected}"
            except OSError as problem:
                kept = f"in the server log only ({problem})"
        metrics.count(metrics.spool_set_aside, self.name)
        logger.error(
            "Set aside a %s entry the database refuses (%s), %s: %s", self.label, error, kept, line
        )

    def adopt_orphans(self) -> bool:
        """Write and delete the files of processes that died; True if none is left unwritten."""
        try:
            paths = sorted(self.directory.glob("*.jsonl"))
        except OSError:
            return True
        done = True
        for path in paths:
            if path == self.path:
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue  # another process adopted it meanwhile
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # its process is alive and writes it itself
            try:
                end = os.fstat(fd).st_size
                self._write_lines(fd, 0, end, lambda offset: None, _rejected(path))
                path.unlink(missing_ok=True)
                logger.info(
                    "Wrote the %s spool %s left by a stopped process", self.label, path.name
                )
            except Exception as error:
                self._failed(error)
                done = False
            finally:
                os.close(fd)
        return done

    def _run(self) -> None:
        # At start, first adopt what stopped processes left; then write as entries come.
        retry, next_adoption = RETRY_SECONDS[0], 0.0
        while True:
            # Cleared before the drain: an entry appended during it wakes the next round.
            self._wake.clear()
            done = self.drain()
            if time.monotonic() >= next_adoption:
                done = self.adopt_orphans() and done
                next_adoption = time.monotonic() + ADOPT_EVERY_SECONDS
            if done:
                retry = RETRY_SECONDS[0]
                if self._wake.wait(timeout=ADOPT_EVERY_SECONDS):
                    time.sleep(LINGER_SECONDS)
            else:
                time.sleep(retry)
                retry = min(retry * 2, RETRY_SECONDS[1])

    def close(self) -> None:
        """At exit: write what waits, then remove the emptied file. What cannot be written
        stays in the file, for the next process to adopt."""
        if self._pid != os.getpid():
            return
        if self._size > self._written or self._memory:
            self.drain()
        with self._lock:
            if self._size == 0 and not self._memory:
                self.path.unlink(missing_ok=True)

    # Faults: logged as errors when they start, again every minute while they last.

    def _failed(self, error: Exception) -> None:
        # A connection that failed may be broken; the next attempt opens a new one.
        if not connection.in_atomic_block:
            connection.close()
        metrics.count(metrics.spool_write_failures, self.name)
        self._report(f"cannot write the {self.label} to the database: {error}")

    def _report(self, fault: str) -> None:
        now = time.monotonic()
        if fault != self._fault or now - self._fault_logged_at >= REMIND_EVERY_SECONDS:
            self._fault, self._fault_logged_at = fault, now
            logger.error("%s delayed, nothing lost yet: %s", self.label.capitalize(), fault)

    def _recovered(self) -> None:
        if self._fault:
            self._fault = ""
            logger.info("%s writes resumed: everything waiting is written", self.label.capitalize())


def spool_for(
    write: Callable[[list[dict]], None], *, folder: str = "", label: str = "call log"
) -> "Spool | None":
    """A process's spool of one kind of entry: the call log's in CALL_LOG_SPOOL_DIR, another
    kind's in a folder of its own there (each spool adopts every file in its folder as its own
    kind). None when the setting is empty: entries are then written at once (as in tests)."""
    if not settings.CALL_LOG_SPOOL_DIR:
        return None
    return Spool(Path(settings.CALL_LOG_SPOOL_DIR) / folder, write, label=label)
