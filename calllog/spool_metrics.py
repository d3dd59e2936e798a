"""What /metrics tells of the spools on this machine: entries waiting, and the oldest's age."""

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily


def spools_collect() -> Iterator[GaugeMetricFamily]:
    """For /metrics, per spool on this machine (the call log's in CALL_LOG_SPOOL_DIR, the
    others' in folders of their own in it): the entries in its files, and the age of the
    oldest. Read from the files, so a stopped process's count too; entries being written at
    this moment count until their group is done."""
    waiting = GaugeMetricFamily(
        "etphone_spool_waiting_entries",
        "Entries in a spool's files waiting to be written to the database, by spool.",
        labels=["spool"],
    )
    oldest = GaugeMetricFamily(
        "etphone_spool_oldest_entry_age_seconds",
        "Age of the oldest entry waiting in a spool's files (0 when none), by spool.",
        labels=["spool"],
    )
    if not settings.CALL_LOG_SPOOL_DIR:
        return
    top = Path(settings.CALL_LOG_SPOOL_DIR)
    folders = [("call_log", top)]
    with contextlib.suppress(OSError):
        folders += sorted((path.name, path) for path in top.iterdir() if path.is_dir())
    now = timezone.now()
    for name, folder in folders:
        entries, first = 0, None
        with contextlib.suppress(OSError):
            for path in folder.glob("*.jsonl"):
                count, at = _waiting_in(path)
                entries += count
                first = at if first is None or (at is not None and at < first) else first
        waiting.add_metric([name], entries)
        oldest.add_metric([name], max(0.0, (now - first).total_seconds()) if first else 0.0)
    yield waiting
    yield oldest


def _waiting_in(path: Path) -> tuple[int, datetime | None]:
    """The entries in a spool file and the time of its first, if any."""
    try:
        with open(path, "rb") as file:
            head = file.readline()
            count = (1 if head.endswith(b"\n") else 0) + sum(
                chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b"")
            )
    except OSError:
        return 0, None
    try:
        return count, datetime.fromisoformat(json.loads(head)["at"])
    except (ValueError, KeyError, TypeError):
        return count, None
