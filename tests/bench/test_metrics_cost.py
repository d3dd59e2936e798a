"""make bench's measure of what counting for /metrics costs a request runs, over the whole mix."""

import os
import subprocess
import sys
import tempfile

import pytest

from tests.server import ROOT, planet_pk, prepare_database, server_env


@pytest.mark.sqlite_run_only(reason="make bench measures on SQLite")
def test_the_metrics_cost_is_measured_over_every_request_of_the_mix(tmp_path):
    env = server_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    prepare_database(env)
    with tempfile.TemporaryDirectory() as directory:
        env["PROMETHEUS_MULTIPROC_DIR"] = directory
        pk = planet_pk(env, "Dagobah")
        args = [sys.executable, "-m", "bench.metrics_cost", str(pk), "30"]
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        # Counted in the multiprocess files, as the production server does.
        assert any(name.startswith("counter_") for name in os.listdir(directory))
    requests, microseconds = done.stdout.split()
    assert int(requests) > 30 * 5
    assert float(microseconds) > 0
