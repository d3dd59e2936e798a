"""A real Prometheus, set up as docs/operating.md says, scrapes the production server (two granian
workers) with the bearer token and finds what the calls did; the alert rules and the Grafana
dashboard's queries run on it."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from tests.conftest import spoken
from tests.debugger.reports import report
from tests.metrics.deploy_files import ALERTS, alert_rules, dashboard_exprs
from tests.server import (
    ROOT,
    Server,
    free_port,
    prepare_database,
    server_env,
    serving,
    signed_post,
)

METRICS_TOKEN = "prometheus-test-scrape-token"
APOLOGY = "We are sorry, something went wrong on our side."
CALLER = {"From": "+19295550123", "To": "+18005550100"}
# Long enough for a scrape, a rule evaluation and a slow machine; polled, never waited out.
DEADLINE_S = 90


def prometheus_binary() -> str:
    if (binary := shutil.which("prometheus")) is None:
        pytest.fail("Prometheus is missing: make test installs Debian's prometheus package")
    return binary


def step_of(url: str) -> str:
    """The step label a webhook URL counts under: /ivr/voicemail/offered?step=2 is
    voicemail_offered."""
    return urlsplit(url).path.removeprefix("/ivr/").replace("/", "_")


class Line:
    """The server and the Prometheus scraping it, and what the tests asked the server."""

    def __init__(self, server: Server, prometheus: str, *, database: Path, multiprocess: Path):
        self.server, self.base, self.prometheus = server, server.base, prometheus
        # The SQLite file, and the server's multiprocess directory.
        self.database, self.multiprocess = database, multiprocess
        self.requests: Counter[str] = Counter()  # webhook requests made, by step
        self.calls = self.busy = self.speech = self.apologies = self.reports = 0
        self.started = time.monotonic()

    def post(self, url: str, params: dict) -> ET.Element:
        """One signed webhook request, on a connection of its own: either worker may take it."""
        response = signed_post(self.base, url, params)
        assert response.status_code == 200, response.text
        self.requests[step_of(url)] += 1
        return ET.fromstring(response.content)

    def call(self, sid: str, inputs: list[dict]) -> None:
        """A call from its start, following the app's own URLs with each input in turn."""
        caller = {"CallSid": sid, **CALLER}
        root = self.post("/ivr/welcome", caller)
        self.calls += 1
        for params in inputs:
            while (redirect := root.find("Redirect")) is not None:
                root = self.post(redirect.text, caller)
            url = next(element.get("action") for element in root.iter() if element.get("action"))
            root = self.post(url, {**caller, **params})
            self.busy += params.get("DialCallStatus") == "busy"
            self.speech += "SpeechResult" in params
        self.post("/ivr/status", {**caller, "CallStatus": "completed", "CallDuration": "42"})

    def calls_of_every_kind(self, tag: str) -> None:
        """Keys, a dial that finds the planet busy (then silence at the voicemail offer), and
        words said."""
        self.call(
            f"CA{tag}keys", [{"Digits": "2"}, {"Digits": "3"}, {"DialCallStatus": "busy"}, {}]
        )
        self.call(f"CA{tag}words", [{"SpeechResult": "planets", "Confidence": "0.92"}])

    def debugger_report(self) -> None:
        """Twilio's Debugger posting an error report (11200: a proxy's 502 instead of TwiML)."""
        self.reports += 1
        self.post("/ivr/debugger", report(sid=f"NO{self.reports:032x}"))

    def query(self, expr: str) -> list[dict]:
        """Prometheus' answer to an instant query (its HTTP API); fails on a query it refuses."""
        response = requests.get(
            f"{self.prometheus}/api/v1/query", params={"query": expr}, timeout=10
        )
        body = response.json()
        assert body["status"] == "success", f"{expr}: {body.get('error')}"
        return body["data"]["result"]

    def value(self, expr: str) -> float | None:
        """The single value an aggregating query answers, None while it answers nothing."""
        result = self.query(expr)
        assert len(result) <= 1, result
        return float(result[0]["value"][1]) if result else None

    def wait_for(self, expr: str, expected) -> None:
        """Poll until the query's value is what the server was asked (Prometheus scrapes each
        second); fails with the last value after the deadline."""
        deadline = time.monotonic() + DEADLINE_S
        while (value := self.value(expr)) != expected:
            if time.monotonic() > deadline:
                raise AssertionError(f"{expr} is {value}, not {expected}, after {DEADLINE_S} s")
            time.sleep(0.5)

    def alert(self, name: str, *, state: str) -> dict:
        """Poll Prometheus' alerts until one named so is in that state (or past it)."""
        states = {"pending": {"pending", "firing"}, "firing": {"firing"}}[state]
        deadline = time.monotonic() + DEADLINE_S
        while True:
            alerts = requests.get(f"{self.prometheus}/api/v1/alerts", timeout=10).json()
            for alert in alerts["data"]["alerts"]:
                if alert["labels"]["alertname"] == name and alert["state"] in states:
                    return alert
            assert time.monotonic() < deadline, f"{name} is not {state}: {alerts['data']}"
            time.sleep(0.5)

    def counted(self) -> None:
        """Wait until Prometheus has scraped every webhook request made so far; failing, says
        which steps' counts differ from the requests made."""
        try:
            self.wait_for("sum(etphone_webhook_requests_total)", sum(self.requests.values()))
        except AssertionError as error:
            by_step = self.query("sum by (step) (etphone_webhook_requests_total)")
            scraped = {series["metric"]["step"]: series["value"][1] for series in by_step}
            made, files = dict(self.requests), self.worker_counts()
            workers = self.server.workers()
            log = (self.multiprocess.parent / "server.log").read_text().splitlines()[-30:]
            raise AssertionError(
                f"{error}: made {made}, scraped {scraped}; counted in the files of pids {files}, "
                f"the server's workers now {workers}; the server's log ends:\n" + "\n".join(log)
            ) from None

    def worker_counts(self) -> dict[int, float]:
        """Webhook requests counted in each worker's own file (counter_<pid>.db), by pid."""
        counts = {}
        for path in self.multiprocess.glob("counter_*.db"):
            if not (pid := path.stem.removeprefix("counter_")).isdigit():
                continue
            with tempfile.TemporaryDirectory() as alone:
                shutil.copy(path, alone)
                registry = CollectorRegistry()
                MultiProcessCollector(registry, path=alone)
                counts[int(pid)] = sum(
                    sample.value
                    for family in registry.collect()
                    if family.name == "etphone_webhook_requests"
                    for sample in family.samples
                )
        return counts


# Where a thousand calls counted by a server that is gone lie, in the multiprocess directory.
STALE = "counter_gone.db"


def leave_stale_counts(env: dict, multiprocess: Path) -> None:
    scratch = multiprocess.parent / "gone"
    scratch.mkdir()
    code = (
        "from metrics.registry import calls_started\ncalls_started.labels('+18005550100').inc(1000)"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "PROMETHEUS_MULTIPROC_DIR": str(scratch)},
        check=True,
    )
    (counters,) = scratch.glob("counter_*.db")
    counters.rename(multiprocess / STALE)


def scrape_config(target: str) -> dict:
    """docs/operating.md's prometheus.yml, filled in for target on loopback, scraping and evaluating
    the rules each second."""
    operating = (ROOT / "docs" / "operating.md").read_text()
    (block,) = re.findall(r"<!-- prometheus-config -->\s*```yaml\n(.*?)```", operating, re.S)
    config = yaml.safe_load(block)
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "etphone"
    job["scheme"] = "http"
    job["authorization"]["credentials"] = METRICS_TOKEN
    job["static_configs"] = [{"targets": [target]}]
    config["rule_files"] = [str(ALERTS)]
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    return config


@contextlib.contextmanager
def prometheus_scraping(target: str, directory: Path):
    """Prometheus scraping target's /metrics each second with the bearer token, evaluating the
    alert rules; yields its base URL."""
    port = free_port()
    config = directory / "prometheus.yml"
    config.write_text(yaml.safe_dump(scrape_config(target)))
    log_path = directory / "prometheus.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                prometheus_binary(),
                f"--config.file={config}",
                f"--storage.tsdb.path={directory / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + DEADLINE_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"Prometheus exited:\n{log_path.read_text()}")
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{base}/-/ready", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prometheus did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def line(tmp_path_factory):
    directory = tmp_path_factory.mktemp("prometheus")
    database, multiprocess = directory / "db.sqlite3", directory / "multiprocess"
    multiprocess.mkdir()
    env = server_env(
        f"sqlite:///{database}",
        METRICS_TOKEN=METRICS_TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(multiprocess),
        # Each request opens the database anew, and finds what is there now.
        DATABASE_CONN_MAX_AGE="0",
    )
    prepare_database(env)
    leave_stale_counts(env, multiprocess)
    with (
        serving(env, workers=2, log_path=directory / "server.log") as server,
        prometheus_scraping(urlsplit(server.base).netloc, directory) as prometheus,
    ):
        yield Line(server, prometheus, database=database, multiprocess=multiprocess)


def test_prometheus_finds_the_calls_steps_and_dial_outcomes_both_workers_counted(line):
    # The kernel spreads connections over the workers' sockets as it likes (and a worker may
    # still be starting): calls until each worker has answered some, within reason.
    for n in range(20):
        line.calls_of_every_kind(f"counts{n}")
        line.counted()
        workers = {pid: count for pid, count in line.worker_counts().items() if count}
        if len(workers) >= 2:
            break
    by_step = {
        series["metric"]["step"]: float(series["value"][1])
        for series in line.query("sum by (step) (etphone_webhook_requests_total)")
    }
    assert by_step == {step: float(count) for step, count in line.requests.items()}
    assert {"welcome", "menu", "planets", "dialed", "voicemail_offered", "status"} <= set(by_step)
    line.wait_for('sum(etphone_calls_started_total{called_number="+18005550100"})', line.calls)
    line.wait_for('sum(etphone_dials_total{outcome="busy"})', line.busy)
    line.wait_for("sum(etphone_speech_total)", line.speech)
    line.wait_for("sum(etphone_menu_answers_total)", line.requests["menu"])
    # Each worker counted some of the requests in its own file; /metrics added them up.
    assert len(workers) >= 2, workers
    assert sum(workers.values()) == sum(line.requests.values())


def test_an_apology_with_the_database_gone_is_counted_and_its_alert_is_pending(line):
    good = line.database.with_name("good.sqlite3")
    line.database.rename(good)
    line.database.write_bytes(b"this is not a database, it is what a broken disk returned" * 100)
    try:
        # Two, a scrape apart: the alert sees an increase between two scraped values (a first
        # apology, on a server Prometheus was scraping 5 minutes before, fires it alone).
        for n in range(2):
            root = line.post("/ivr/welcome", {"CallSid": f"CAgone{n}", **CALLER})
            assert spoken(root) == [APOLOGY]
            line.apologies += 1
            # Scraped while the database is still gone: /metrics answers without it.
            line.wait_for(
                'sum(etphone_webhook_requests_total{answer="apology", step="welcome"})',
                line.apologies,
            )
    finally:
        good.replace(line.database)
    alert = line.alert("EtphoneCallersHearApologies", state="pending")
    assert alert["labels"]["severity"] == "critical"


def test_twilio_error_reports_are_counted_and_their_alert_fires_at_once(line):
    # Two, a scrape apart, as for the apologies: this Prometheus is too new to the server for
    # the rule's half about a code's first report (alerts.test.yml tests that half).
    for _ in range(2):
        line.debugger_report()
        line.wait_for(
            'sum(etphone_twilio_debugger_reports_total{level="error", code="11200"})',
            line.reports,
        )
    alert = line.alert("EtphoneTwilioReportsErrors", state="firing")
    assert alert["labels"]["code"] == "11200"
    assert alert["annotations"]["summary"] == "Twilio reports error 11200"


def test_a_killed_worker_loses_none_of_the_totals_counted(line):
    line.calls_of_every_kind("beforekill")
    line.counted()
    counts = line.worker_counts()
    victim = max(line.server.workers(), key=lambda pid: counts.get(pid, 0))
    assert counts.get(victim, 0) > 0
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + DEADLINE_S
    while victim in (workers := line.server.workers()) or len(workers) < 2:
        assert time.monotonic() < deadline, f"granian did not replace worker {victim}"
        time.sleep(0.2)
    line.calls_of_every_kind("afterkill")
    line.counted()
    line.wait_for("sum(etphone_calls_started_total)", line.calls)
    line.wait_for('sum(etphone_dials_total{outcome="busy"})', line.busy)


def test_the_server_empties_the_multiprocess_directory_when_it_starts(line):
    line.call("CAfresh", [{"Digits": "1"}])
    assert not (line.multiprocess / STALE).exists()
    # Without the stale file's thousand calls.
    line.wait_for("sum(etphone_calls_started_total)", line.calls)


def test_prometheus_loads_every_alert_rule_and_evaluates_it_on_what_it_scraped(line):
    names = {rule["alert"] for rule in alert_rules()}
    deadline = time.monotonic() + DEADLINE_S
    while True:
        rules = requests.get(f"{line.prometheus}/api/v1/rules", timeout=10).json()
        groups = rules["data"]["groups"]
        evaluated = {
            rule["name"]: rule
            for group in groups
            for rule in group["rules"]
            if not rule["lastEvaluation"].startswith("0001-")
        }
        if set(evaluated) == names:
            break
        assert time.monotonic() < deadline, f"rules evaluated: {sorted(evaluated)}"
        time.sleep(0.5)
    assert [group["name"] for group in groups] == ["etphone"]
    assert {name: rule["health"] for name, rule in evaluated.items()} == dict.fromkeys(names, "ok")


# What the tests' calls do not feed: no text is sent, and no spool entry is set aside.
UNFED = (
    "etphone_texts_total",
    "etphone_spool_write_failures_total",
    "etphone_spool_entries_set_aside_total",
)


STATS = {"Calls started", "Apologies", "Twilio errors, last 24 hours"}


def test_every_dashboard_query_runs_and_those_the_calls_feed_return_data(line):
    line.calls_of_every_kind("dashboard")
    line.debugger_report()
    line.counted()
    # Grafana's own variables: the dashboard's range, and a rate's window; both since the
    # first call, so every rate still sees the calls.
    window = f"{int(time.monotonic() - line.started) + 60}s"
    exprs = dashboard_exprs()
    assert len(exprs) >= 15
    fed = []
    for title, expr in exprs:
        query = expr.replace("$__rate_interval", window).replace("$__range", window)
        assert "$" not in query, f"{title}: a variable the test does not know: {query}"
        line.query(query)  # Prometheus runs it
        if not any(name in expr for name in UNFED):
            fed.append((title, query))
    # A rate needs two scrapes of a series: a series the calls just made may have one yet.
    deadline = time.monotonic() + DEADLINE_S
    while empty := [(title, query) for title, query in fed if not line.query(query)]:
        assert time.monotonic() < deadline, empty
        time.sleep(0.5)
    # The totals count every call, apology and report, a series' first value included.
    totals = {title: line.value(query) for title, query in fed if title in STATS}
    assert totals == {
        "Calls started": line.calls,
        "Apologies": line.apologies,
        "Twilio errors, last 24 hours": line.reports,
    }
