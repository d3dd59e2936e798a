"""What counting for /metrics costs a webhook request: the mix, answered in this process by the
production settings with prometheus_client's multiprocess mode on, timing every count (the
two functions of metrics/registry.py the rooms count through) and the wrapper's clock readings.

Run by bench/run.py in a process of its own, `python -m bench.metrics_cost <planet pk> [calls]`,
with the benchmark's environment (its database, PROMETHEUS_MULTIPROC_DIR an empty folder).
Prints one line: requests, microseconds per request.
"""

import os
import sys
import time
from urllib.parse import parse_qsl

import django

BASE_URL = "http://127.0.0.1"
CALLS = 1000


class Timed:
    """CPU time spent inside the functions wrapped (this thread's: a busy machine taking the CPU
    away in the middle of a count does not count)."""

    def __init__(self):
        self.seconds = 0.0

    def wrap(self, namespace, name: str) -> None:
        original = getattr(namespace, name)

        def timed(*args, **kwargs):
            started = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.thread_time() - started

        setattr(namespace, name, timed)


def main(planet_pk: int, calls: int = CALLS) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "etphone.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client

    # No spool writer threads: a thread switch inside a timed count would be counted as its.
    settings.CALL_LOG_SPOOL_DIR = None

    from bench import mix
    from ivr import decorators
    from metrics import registry
    from tests.server import TOKEN

    timed = Timed()
    # Every count goes through these two: the rooms call registry.count(), the webhook wrapper
    # webhook_answered() (imported by name).
    timed.wrap(registry, "count")
    timed.wrap(decorators, "webhook_answered")
    client, requests = Client(HTTP_HOST="127.0.0.1"), 0
    batch = mix.calls(
        base_url=BASE_URL, token=TOKEN, prefix="CAmetrics", count=calls, planet_pk=planet_pk
    )
    for request in batch:
        response = client.post(
            request.path,
            dict(parse_qsl(request.body, keep_blank_values=True)),
            HTTP_X_TWILIO_SIGNATURE=request.signature,
        )
        if response.status_code != 200:
            sys.exit(f"{request.path} answered {response.status_code}")
        requests += 1
    # The wrapper reads the clock twice a request, outside what is timed above.
    clock = min(_two_clock_readings() for _ in range(5))
    # Less what the timing itself costs: one pair of thread_time() readings per call timed.
    print(requests, f"{1e6 * timed.seconds / requests + clock:.2f}")


def _two_clock_readings() -> float:
    started = time.perf_counter()
    for _ in range(100_000):
        time.perf_counter()
        time.perf_counter()
    return 1e6 * (time.perf_counter() - started) / 100_000


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
