"""The metrics app: a worker's start time, and the gauges of workers that died forgotten."""

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
        from .registry import forget_dead_workers, process_start

        process_start.set_to_current_time()
        # A worker starting may be replacing one that died: its live gauges go.
        forget_dead_workers()
