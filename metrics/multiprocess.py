"""prometheus_client's multiprocess mode, made cheap for a webhook request: counts are kept in
the worker's memory and written to the shared files once a second, by a thread of the worker.

In that mode each count is a locked write to a memory-mapped file, and the library asks the
process's id first (a system call): 5 to 9 us each on a request's cold caches, 14 us a request
in all (bench/metrics_cost.py; the target is under 10). Here a request adds to a dict under a
lock. A scrape (any worker) sees another worker's counts at most FLUSH_SECONDS late; a worker
killed outright loses at most its last FLUSH_SECONDS of counts; one that exits writes them.
"""

import atexit
import bisect
import logging
import multiprocessing.util
import os
import threading
import time

logger = logging.getLogger("metrics")

FLUSH_SECONDS = 1.0

# The process's id, renewed in a forked child: the library asks for it at every write.
_pid = os.getpid()


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)


def process_id() -> int:
    return _pid


class Pending:
    """Counts and observations of this process not yet in the shared files."""

    def __init__(self):
        self._lock = threading.Lock()
        # A counter's child -> the amount to add; a histogram's child -> its buckets' counts
        # and the sum of what was observed.
        self._counts: dict = {}
        self._observed: dict = {}
        self._thread_pid = None

    def add(self, child, amount: float = 1) -> None:
        with self._lock:
            self._counts[child] = self._counts.get(child, 0) + amount
        if self._thread_pid != _pid:
            self._start()

    def observe(self, child, upper_bounds: list[float], value: float) -> None:
        """As child.observe(value): the first bucket whose bound is at least the value."""
        bucket = bisect.bisect_left(upper_bounds, value)
        with self._lock:
            if (sums := self._observed.get(child)) is None:
                sums = self._observed[child] = [0] * len(upper_bounds) + [0.0]
            sums[bucket] += 1
            sums[-1] += value
        if self._thread_pid != _pid:
            self._start()

    def flush(self) -> None:
        """Write what is pending to the shared files."""
        with self._lock:
            counts, self._counts = self._counts, {}
            observed, self._observed = self._observed, {}
        for child, amount in counts.items():
            child.inc(amount)
        for child, sums in observed.items():
            # A histogram child's own values (prometheus_client pinned in requirements.txt):
            # a bucket's count and the sum, as observe() adds to them one at a time.
            for bucket, n in enumerate(sums[:-1]):
                if n:
                    child._buckets[bucket].inc(n)
            child._sum.inc(sums[-1])

    def _start(self) -> None:
        with self._lock:
            if self._thread_pid == _pid:
                return
            self._thread_pid = _pid
        threading.Thread(target=self._run, name="metrics-flush", daemon=True).start()
        atexit.register(self.flush)
        multiprocessing.util.Finalize(self, self.flush, exitpriority=10)

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            try:
                self.flush()
            except Exception:
                logger.exception("Could not write the metrics' counts")


pending = Pending()
