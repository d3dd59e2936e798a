"""The first hour: `make run` (scripts/run) and `make call` (scripts/call), really run, in a copy
of the checkout with no environment of its own, as a newcomer's fresh clone is."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.server import ROOT, free_port

# What a newcomer's shell does not have: the suite's settings, a database, a token.
NOT_A_NEWCOMERS = ("DJANGO_", "DATABASE_", "TWILIO_", "CALL_LOG_", "PYTEST", "PUBLIC_BASE_URL")


def checkout_copy(target: Path) -> Path:
    """The checkout's files (committed or not, none it ignores) in target, as a clone has them."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory):
    """(checkout, environment): a copy of the checkout and a shell's environment for it."""
    checkout = checkout_copy(tmp_path_factory.mktemp("clone"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(NOT_A_NEWCOMERS)}
    # The installed virtualenv stands in for the .venv `make` would create.
    env.update(VENV_BIN=str(Path(sys.executable).parent), PORT=str(free_port()))
    return checkout, env


@pytest.fixture(scope="module")
def make_run(newcomer):
    """scripts/run serving in the background; yields (site, its output so far); stops it."""
    checkout, env = newcomer
    log_path = checkout / "run.log"
    site = f"http://127.0.0.1:{env['PORT']}"
    with open(log_path, "w") as log:
        # A session of its own: stopping it stops the development server's reloader child too.
        process = subprocess.Popen(
            [str(checkout / "scripts" / "run")],
            cwd=checkout,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"scripts/run exited:\n{log_path.read_text()}")
            try:
                requests.get(f"{site}/health", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail(f"scripts/run did not serve:\n{log_path.read_text()}")
                time.sleep(0.3)
        yield site, log_path.read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def call(newcomer, *args: str) -> subprocess.CompletedProcess:
    checkout, env = newcomer
    return subprocess.run(
        [str(checkout / "scripts" / "call"), *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_call_walks_a_signed_call_through_the_app_make_run_serves(newcomer, make_run):
    site, _ = make_run

    result = call(newcomer, "--press", "2", "3")

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Calling {site}/ivr/welcome (signed)"
    assert "> You press 2" in lines
    assert "  Dials +17262043675: completed after 42 s" in lines
    assert lines[-1] == "  Call ends: the app hung up"


def test_make_run_checks_signatures_with_a_local_token_of_its_own(newcomer, make_run):
    checkout, _ = newcomer
    site, _ = make_run

    response = requests.post(f"{site}/ivr/welcome", data={"CallSid": "CA1"}, timeout=10)

    assert response.status_code == 403
    token_file = checkout / ".local-auth-token"
    assert token_file.read_text().startswith("local-development-only-")
    assert token_file.stat().st_mode & 0o077 == 0  # the owner's alone
    ignored = subprocess.run(["git", "check-ignore", "-q", ".local-auth-token"], cwd=ROOT)
    assert ignored.returncode == 0


def test_make_run_says_where_the_app_the_admin_and_the_simulator_are(make_run):
    site, output = make_run

    assert f"on {site}/" in output
    assert f"the admin        {site}/admin/  (no login yet? `make superuser` creates one)" in output
    assert f"the simulator    {site}/simulator/" in output
    assert "`make call` in another terminal" in output
    assert requests.get(f"{site}/admin/", timeout=10).url == f"{site}/admin/login/?next=/admin/"


def test_make_call_without_make_run_says_to_start_it(newcomer):
    checkout, env = newcomer
    idle = {**env, "PORT": str(free_port())}

    result = subprocess.run(
        [str(checkout / "scripts" / "call")], cwd=checkout, env=idle, capture_output=True, text=True
    )

    assert result.returncode == 1
    assert "start the app with `make run`" in result.stderr


def make(newcomer, target: str, *args: str) -> subprocess.CompletedProcess:
    """A make target in the checkout's copy, with the installed virtualenv (-o: make installs
    nothing, as in a clone it has set up before)."""
    checkout, env = newcomer
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", target, *args],
        cwd=checkout,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_manage_runs_manage_py_in_the_local_environment(newcomer):
    result = make(newcomer, "manage", "ARGS=check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_make_manage_passes_every_word_of_args_to_manage_py(newcomer):
    result = make(newcomer, "manage", "ARGS=shell --no-imports -c 'print(6 * 7)'")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "42"


def test_make_superuser_does_not_warn_that_webhooks_will_be_refused(newcomer):
    """It has make run's local token: the server it serves for checks signatures with it."""
    result = make(newcomer, "superuser")

    assert "createsuperuser" in result.stdout
    assert "every webhook request will be refused" not in result.stdout + result.stderr
