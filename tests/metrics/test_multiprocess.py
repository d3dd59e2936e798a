"""What a worker keeps in memory for /metrics reaches the shared files as if counted one by one."""

import multiprocessing

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Counter, Histogram

from metrics import multiprocess
from metrics.registry import LATENCY_BUCKETS

BOUNDS = [*LATENCY_BUCKETS, float("inf")]


def samples(registry: CollectorRegistry, name: str) -> dict:
    return {
        (sample.name.removeprefix(name), tuple(sorted(sample.labels.items()))): sample.value
        for family in registry.collect()
        for sample in family.samples
    }


@given(
    observed=st.lists(
        st.one_of(
            st.sampled_from(LATENCY_BUCKETS),  # on a bound: counted in that bucket
            st.floats(min_value=0, max_value=30, allow_nan=False),
        ),
        max_size=50,
    ),
    counted=st.lists(st.sampled_from(["a", "b"]), max_size=20),
)
def test_pending_counts_flushed_equal_counting_each_at_once(observed, counted):
    direct, kept = CollectorRegistry(), CollectorRegistry()
    for registry in (direct, kept):
        Histogram("seconds", "s", ["step"], buckets=LATENCY_BUCKETS, registry=registry)
        Counter("things", "t", ["kind"], registry=registry)
    pending = multiprocess.Pending()
    pending._thread_pid = multiprocess.process_id()  # no flushing thread: flushed below
    histograms = {r: r._names_to_collectors["seconds"].labels("menu") for r in (direct, kept)}
    counters = {r: r._names_to_collectors["things"] for r in (direct, kept)}
    for value in observed:
        histograms[direct].observe(value)
        pending.observe(histograms[kept], BOUNDS, value)
    for kind in counted:
        counters[direct].labels(kind).inc()
        pending.add(counters[kept].labels(kind))
    pending.flush()
    assert samples(kept, "seconds") == samples(direct, "seconds")
    assert samples(kept, "things") == samples(direct, "things")


def _child_pid(queue) -> None:
    queue.put((multiprocess.process_id(), multiprocess.os.getpid()))


def test_a_forked_worker_counts_under_its_own_process_id():
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_pid, args=(queue,))
    child.start()
    kept, actual = queue.get(timeout=30)
    child.join(timeout=30)
    assert kept == actual
    assert kept != multiprocess.process_id()


def test_a_dead_workers_live_gauges_go_and_its_counts_stay(tmp_path, monkeypatch):
    from metrics.registry import forget_dead_workers

    dead = multiprocessing.get_context("fork").Process(target=lambda: None)
    dead.start()
    dead.join(timeout=30)
    alive = multiprocess.os.getpid()
    names = [
        f"gauge_liveall_{dead.pid}.db",
        f"gauge_livemax_{dead.pid}.db",
        f"counter_{dead.pid}.db",
        f"gauge_liveall_{alive}.db",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    forget_dead_workers()
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [f"counter_{dead.pid}.db", f"gauge_liveall_{alive}.db"]
    )
