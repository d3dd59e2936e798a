"""Every metric /metrics serves, named in one place; the rooms count where things happen.

Counters and histograms are prometheus_client's. Under the production server (several worker
processes) scripts/serve sets PROMETHEUS_MULTIPROC_DIR before anything imports the library:
each worker then counts into files of its own there, and a scrape, answered by any worker,
adds them all up (the library's multiprocess mode). Without it (runserver, the tests) the
counts are the process's own.

Labels stay few: a step, a language, an outcome, a menu or a called number (both staff's
data), never a caller's number, a CallSid or words said.
"""

import glob
import os
import re
from collections.abc import Callable, Iterable
from functools import cache

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    values,
)
from prometheus_client.core import Metric
from prometheus_client.multiprocess import mark_process_dead

from . import multiprocess


def multiprocess_directory() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


MULTIPROCESS = multiprocess_directory() is not None
if MULTIPROCESS:
    # The library asks os.getpid() at every write, to notice a fork: the id kept is enough.
    values.ValueClass = values.MultiProcessValue(process_identifier=multiprocess.process_id)

# No *_created series beside each counter: multiprocess mode has none, and few dashboards use them.
disable_created_metrics()

# This process's metrics (in multiprocess mode /metrics reads every worker's files instead).
REGISTRY = CollectorRegistry()

# Webhook latency buckets: Twilio hangs up on a webhook after 15 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0)

webhook_requests = Counter(
    "etphone_webhook_requests",
    "Twilio's requests to our webhooks, by step and how we answered "
    "(twiml, signature_refused, apology, fallback_replay; refused, unavailable: a report "
    "Twilio's Debugger sent that was not one, or could not be kept).",
    ["step", "answer"],
    registry=REGISTRY,
)
webhook_duration = Histogram(
    "etphone_webhook_duration_seconds",
    "Seconds from a webhook request reaching the view to its answer, by step.",
    ["step"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
calls_started = Counter(
    "etphone_calls_started",
    "Calls that reached the first menu, by the number called (E.164, as Twilio signed it; "
    "else 'other').",
    ["called_number"],
    registry=REGISTRY,
)
menu_answers = Counter(
    "etphone_menu_answers",
    "Answers at a menu, by menu (short name), language and outcome (chose, planet, no_input, "
    "wrong_key, not_understood, out_of_attempts); key is the option chosen, else empty.",
    ["menu", "language", "outcome", "key"],
    registry=REGISTRY,
)
dials = Counter(
    "etphone_dials",
    "Dials' outcomes, by Twilio's DialCallStatus (completed, answered, busy, no-answer, "
    "failed, canceled; else other).",
    ["outcome"],
    registry=REGISTRY,
)
speech = Counter(
    "etphone_speech",
    "Callers' words heard, by language and result: understood (a choice at once), confirm "
    "(a doubtful match, to be confirmed), not_understood.",
    ["language", "result"],
    registry=REGISTRY,
)
voicemails = Counter(
    "etphone_voicemails_recorded",
    "Voicemail messages kept (Twilio's recording callback).",
    registry=REGISTRY,
)
texts = Counter(
    "etphone_texts",
    "Texts to callers, by outcome: sent (Twilio took it), refused (Twilio refused it, e.g. "
    "not a mobile number), failed (given up after retries), and Twilio's later status "
    "(delivered, undelivered).",
    ["outcome"],
    registry=REGISTRY,
)
spool_write_failures = Counter(
    "etphone_spool_write_failures",
    "Failed attempts to write a spool's entries to the database (retried), by spool.",
    ["spool"],
    registry=REGISTRY,
)
spool_set_aside = Counter(
    "etphone_spool_entries_set_aside",
    "Spool entries the database refused for what they hold, set aside, by spool.",
    ["spool"],
    registry=REGISTRY,
)
debugger_reports = Counter(
    "etphone_twilio_debugger_reports",
    "Reports posted by Twilio's Debugger, by level (error, warning) and Twilio error code.",
    ["level", "code"],
    registry=REGISTRY,
)
directory_revision = Gauge(
    "etphone_directory_revision",
    "The directory revision token each live worker answers with (its last 53 bits): it "
    "changes with every change staff make; workers differ until each has read the change.",
    multiprocess_mode="liveall",
    registry=REGISTRY,
)
process_start = Gauge(
    "process_start_time_seconds",
    "Start time of the newest live worker, in seconds since the epoch.",
    multiprocess_mode="livemax",
    registry=REGISTRY,
)


def directory_revision_in_use(token: int) -> None:
    # A float holds 53 bits exactly: enough to tell revisions apart.
    directory_revision.set(token % 2**53)


def count(metric: Counter, *labels: str, amount: float = 1) -> None:
    """Add to a counter (one with labels: the child with these values)."""
    child = _child(metric, labels)
    if MULTIPROCESS:
        multiprocess.pending.add(child, amount)
    else:
        child.inc(amount)


# Kept for ever: a metric's child per set of label values (prometheus_client's labels() checks
# and locks at every call, 1.5 us; bench/metrics_cost.py). Nothing invalidates them: the
# values are few (steps, outcomes, staff's menus and numbers), and a child lives as long as
# its metric.
@cache
def _child(metric, labels: tuple[str, ...]):
    return metric.labels(*labels) if labels else metric


_LATENCY_BOUNDS = [*LATENCY_BUCKETS, float("inf")]


def webhook_answered(step: str, answer: str, seconds: float) -> None:
    """One webhook request answered: counted by step and answer, its seconds by step."""
    requests, latency = _child(webhook_requests, (step, answer)), _child(webhook_duration, (step,))
    if MULTIPROCESS:
        multiprocess.pending.add(requests)
        multiprocess.pending.observe(latency, _LATENCY_BOUNDS, seconds)
    else:
        requests.inc()
        latency.observe(seconds)


# Collectors read when /metrics is asked (what is on disk now, e.g. the spools' waiting
# entries): registered by the rooms that know how, in their AppConfig.ready.
_collectors: list[Callable[[], Iterable[Metric]]] = []


def collector_register(collect: Callable[[], Iterable[Metric]]) -> None:
    """Have /metrics serve what collect() yields (prometheus_client metric families)."""
    if collect not in _collectors:
        _collectors.append(collect)


class _ScrapeTime:
    """The registered collectors, as one prometheus_client collector."""

    def collect(self) -> Iterable[Metric]:
        for collect in _collectors:
            yield from collect()


SCRAPE_TIME = _ScrapeTime()
REGISTRY.register(SCRAPE_TIME)


_LIVE_FILE = re.compile(r"gauge_live\w+?_(\d+)\.db")


def forget_dead_workers() -> None:
    """Drop the live gauges of worker processes that are gone (their counters stay counted)."""
    if (directory := multiprocess_directory()) is None:
        return
    for path in glob.glob(os.path.join(directory, "gauge_live*_*.db")):
        if (match := _LIVE_FILE.fullmatch(os.path.basename(path))) is None:
            continue
        pid = int(match[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, directory)
        except PermissionError:
            pass  # alive, someone else's
