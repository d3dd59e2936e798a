"""make bench: the production server under signed Twilio requests, beside the tutorial's Node
sample and two floors, in one run.

Starts scripts/serve (the server `make serve` runs) on loopback with the demo directory (and,
on a number of its own, bench/tree.py's 50-menu tree), a test auth token, signature validation
and call logging on; the tutorial's Node/Express sample (../shared/peers/ivr-phone-tree-node,
copied to a scratch directory, `npm ci`, `npm start`); and two floors on our server and
workers: a bare Django view and a raw WSGI callable. wrk and bench/replay.lua drive them all
with the same signed mix (ours also with the full mix, and with calls through the tree), in
interleaved repetitions (each repetition runs every target once, so a busy moment of the
machine hits them all alike); a row is the median repetition. Then ours on PostgreSQL with
two app servers, ours with a million calls in the log (webhooks and the admin's pages), and
webhooks while purge_calls deletes them.
Prints the tables and writes them into docs/performance.md (--no-write for a trial run).
A benchmark, not a test: nothing here asserts.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

import requests

from bench import mix, tree
from tests.server import (
    ROOT,
    TOKEN,
    admin_session,
    free_port,
    manage,
    planet_pk,
    prepare_database,
    running_server,
    server_env,
)

NODE_SAMPLE = ROOT.parent / "shared" / "peers" / "ivr-phone-tree-node"
DOCS = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- make bench: begin -->", "<!-- make bench: end -->"

TARGETS = {
    "ours": "etphone.wsgi:application",
    "bare Django": "bench.floors:bare_django",
    "raw WSGI": "bench.floors:raw_wsgi",
}

# Ours on the line of bench/tree.py's 50-menu tree; the mix each of our rows replays (every
# other target replays the shared mix).
TREE = "ours, 50-menu tree"
MIXES = {"ours, full mix": "full", TREE: "tree"}

EXTRA_PLANETS = """
from directory.models import Language, Planet, PlanetName
for n, key in enumerate("156789"):
    planet, _ = Planet.objects.get_or_create(
        name=f"Extra {key}",
        defaults=dict(key=key, phone_number="+14155550100", position=100 + n),
    )
    for language in Language.objects.all():
        PlanetName.objects.get_or_create(
            planet=planet, language=language,
            defaults=dict(spoken_name=f"the extra planet {key}"),
        )
print(Planet.objects.filter(is_active=True).count())
"""


@dataclass
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int


def ensure_wrk() -> str:
    if wrk := shutil.which("wrk"):
        return wrk
    print("wrk is missing: installing Debian's package.", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk")


def wrk_run(wrk, base, requests_file, *, connections, seconds, addresses="") -> Result:
    """One wrk run; with addresses ("host:port,..."), its threads split over those servers."""
    output = subprocess.run(
        [
            wrk,
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "5s",
        ]
        + ["-s", str(ROOT / "bench" / "replay.lua"), base],
        env={**os.environ, "BENCH_REQUESTS": str(requests_file), "BENCH_ADDRESSES": addresses},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    return Result(
        requests_per_s=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non2xx=data["non2xx"],
        socket_errors=data["socket_errors"],
    )


def median_result(results: list[Result]) -> Result:
    """The run with the median requests/s (its latencies too), with the errors of all runs."""
    middle = sorted(results, key=lambda r: r.requests_per_s)[len(results) // 2]
    return Result(
        requests_per_s=middle.requests_per_s,
        p50_ms=middle.p50_ms,
        p99_ms=middle.p99_ms,
        non2xx=sum(r.non2xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
    )


@contextmanager
def node_sample(workdir: Path, requests_file: Path) -> Iterator[str | None]:
    """The tutorial's Node sample started as its README says; yields its base URL, or None
    (having said why) when node or npm is missing, or the sample is not next to the checkout."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        print("node or npm is missing: the Node sample's rows are skipped.\n", flush=True)
        yield None
        return
    if not (NODE_SAMPLE / "package.json").is_file():
        print(
            f"The Node sample is not at {NODE_SAMPLE} (../shared/peers/ next to the checkout): "
            "its rows are skipped.\n",
            flush=True,
        )
        yield None
        return
    app = workdir / "node-sample"
    shutil.copytree(NODE_SAMPLE, app)
    for path in [app, *app.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=app, check=True, capture_output=True)
    port = free_port()
    with open(workdir / "node-sample.log", "w") as log:
        # npm starts a shell that starts node: a session of their own, to stop both.
        process = subprocess.Popen(
            [npm, "start"],
            cwd=app,
            env={**os.environ, "PORT": str(port)},
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(base, process)
            _check_mix(base, requests_file)
            yield base
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def _wait_for(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{base} exited with {process.returncode}")
        try:
            requests.get(base, timeout=1)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _check_mix(base: str, requests_file: Path) -> None:
    """Each request of the mix answers 200 (a 404 would be measured as a cheap answer)."""
    seen = set()
    for line in requests_file.read_text().splitlines():
        path, body, signature = line.split("\t")
        if path in seen:
            continue
        seen.add(path)
        response = requests.post(
            base + path,
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            },
            timeout=10,
        )
        if response.status_code != 200 or b"<Response>" not in response.content:
            raise RuntimeError(f"{base}{path} answered {response.status_code}: not our mix")


class Bench:
    def __init__(self, args, workdir: Path):
        self.args, self.workdir, self.wrk = args, workdir, ensure_wrk()
        self.env = server_env(f"sqlite:///{workdir / 'db.sqlite3'}", SERVER=args.server)
        self.env["WEB_CONCURRENCY"] = str(args.workers)
        prepare_database(self.env)
        manage(self.env, "loaddata", str(tree.write(workdir / "tree.json")), "-v0")
        self.planet = planet_pk(self.env, "Dagobah")
        self.runs = 0

    def requests_file(self, base: str, *, kind: str = "full") -> Path:
        """A fresh set of calls for every run, so the call log's inserts are real inserts: the
        full mix, the shared one, or calls through the 50-menu tree."""
        self.runs += 1
        path = self.workdir / f"requests-{self.runs}.tsv"
        prefix, count = f"CAb{self.runs:03d}x", self.args.calls_per_run
        if kind == "full":
            batch = mix.calls(
                base_url=base, token=TOKEN, prefix=prefix, count=count, planet_pk=self.planet
            )
        elif kind == "tree":
            batch = mix.tree(base_url=base, token=TOKEN, prefix=prefix, count=count)
        else:
            batch = mix.shared(base_url=base, token=TOKEN, prefix=prefix, count=count)
        path.write_text("\n".join(request.tsv() for request in batch) + "\n")
        return path

    def log_written(self) -> None:
        """Wait until our workers' spools are in the database: the next run gets the CPU whole."""
        deadline = time.monotonic() + 60
        spool = Path(self.env["CALL_LOG_SPOOL_DIR"])
        while any(path.stat().st_size for path in spool.glob("*.jsonl")):
            if time.monotonic() > deadline:
                print("The call log was still being written after 60 s.", file=sys.stderr)
                return
            time.sleep(0.1)

    def run(self, base: str, *, connections: int, seconds: int, kind: str = "full") -> Result:
        result = wrk_run(
            self.wrk,
            base,
            self.requests_file(base, kind=kind),
            connections=connections,
            seconds=seconds,
        )
        self.log_written()
        return result

    def side_by_side(self) -> dict[str, dict[int, Result]]:
        """Every target started at once, then measured in turn, repetition by repetition."""
        apps = {name: TARGETS["ours"] for name in ("ours", "ours, full mix", TREE)}
        if self.args.floors:
            apps |= {name: TARGETS[name] for name in ("bare Django", "raw WSGI")}
        with ExitStack() as stack:
            servers = {}
            for app in dict.fromkeys(apps.values()):
                env = {**self.env, "WSGI_APP": app}
                log = self.workdir / f"server-{len(servers)}.log"
                server = running_server(env, workers=self.args.workers, log_path=log)
                servers[app] = stack.enter_context(server)
            bases = {name: servers[app] for name, app in apps.items()}
            if self.args.node:
                shared = self.requests_file(bases["ours"], kind="shared")
                if node := stack.enter_context(node_sample(self.workdir, shared)):
                    bases = {"ours": bases.pop("ours"), "Node sample": node, **bases}
            for name, base in bases.items():  # warm-up
                self.run(base, connections=16, seconds=2, kind=MIXES.get(name, "shared"))
            runs = {name: {c: [] for c in self.args.connections} for name in bases}
            for _ in range(self.args.runs):
                for connections in self.args.connections:
                    for name, base in bases.items():
                        runs[name][connections].append(
                            self.run(
                                base,
                                connections=connections,
                                seconds=self.args.seconds,
                                kind=MIXES.get(name, "shared"),
                            )
                        )
        return {
            name: {c: median_result(results) for c, results in by_connections.items()}
            for name, by_connections in runs.items()
        }

    def measure_ours(self) -> dict[int, Result]:
        env = {**self.env, "WSGI_APP": TARGETS["ours"]}
        log = self.workdir / f"server-{self.runs}.log"
        with running_server(env, workers=self.args.workers, log_path=log) as base:
            self.run(base, connections=16, seconds=2)
            return {
                c: median_result(
                    [
                        self.run(base, connections=c, seconds=self.args.seconds)
                        for _ in range(self.args.runs)
                    ]
                )
                for c in self.args.connections
            }

    def admin_timings(self) -> dict[str, float]:
        """Seconds to answer the calls list (plain and filtered) and the dashboard, signed in
        as a superuser: the best of 3 warm loads."""
        env = {**self.env, "WSGI_APP": TARGETS["ours"]}
        with running_server(env, workers=1, log_path=self.workdir / "admin.log") as base:
            session = admin_session(base)
            timings = {}
            for name, path in [
                ("calls list", "/admin/calllog/call/"),
                ("calls list, outcome connected", "/admin/calllog/call/?outcome=connected"),
                ("calls list, no choice", "/admin/calllog/call/?outcome=no_choice"),
                ("calls list, planet Dagobah", f"/admin/calllog/call/?planet={self.planet}"),
                ("dashboard", "/admin/calllog/call/dashboard/"),
            ]:
                seconds = []
                for _ in range(4):
                    start = time.perf_counter()
                    response = session.get(base + path, timeout=60)
                    seconds.append(time.perf_counter() - start)
                    assert response.status_code == 200, (path, response.status_code)
                timings[name] = min(seconds[1:])
            return timings

    def during_purge(self) -> tuple[list[Result], float, str]:
        """Webhooks at 16 connections, in 5 s runs, while purge_calls empties the whole log."""
        env = {**self.env, "WSGI_APP": TARGETS["ours"]}
        log = self.workdir / "purge-server.log"
        with running_server(env, workers=self.args.workers, log_path=log) as base:
            self.run(base, connections=16, seconds=2)
            started = time.perf_counter()
            purge = subprocess.Popen(
                [sys.executable, "manage.py", "purge_calls", "--older-than", "0"],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                text=True,
            )
            results = []
            while purge.poll() is None and len(results) < 120:
                file = self.requests_file(base)
                results.append(wrk_run(self.wrk, base, file, connections=16, seconds=5))
            output, _ = purge.communicate(timeout=600)
            return results, time.perf_counter() - started, output.strip()

    def metrics_cost(self) -> tuple[int, float]:
        """Requests of the mix answered in one process, and the microseconds a request spent
        counting for /metrics (bench/metrics_cost.py), in multiprocess mode as served."""
        with tempfile.TemporaryDirectory(prefix="etphone-metrics-") as directory:
            env = {**self.env, "PROMETHEUS_MULTIPROC_DIR": directory}
            args = [sys.executable, "-m", "bench.metrics_cost", str(self.planet)]
            done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"bench.metrics_cost failed:\n{done.stderr[-2000:]}")
        requests, microseconds = done.stdout.split()
        return int(requests), float(microseconds)

    def call_count(self) -> int:
        code = "from calllog.models import Call; print(Call.objects.count())"
        return int(manage(self.env, "shell", "-c", code).split()[-1])

    def postgresql(self) -> str:
        """Ours on a throwaway PostgreSQL with two app servers (bench/postgres.py)."""
        args = [str(ROOT / "scripts" / "with-postgres"), sys.executable, "-m", "bench.postgres"]
        args += ["--seconds", str(self.args.seconds), "--runs", str(self.args.runs)]
        args += ["--workers", str(self.args.workers), "--server", self.args.server]
        args += ["--connections", ",".join(map(str, self.args.connections))]
        args += ["--calls-per-run", str(self.args.calls_per_run)]
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            return f"The PostgreSQL run failed:\n\n```\n{done.stderr[-2000:]}\n```"
        return done.stdout.strip() or f"PostgreSQL skipped: {done.stderr.strip()}"


def table(title: str, rows: dict[str, dict[int, Result]], connections: list[int]) -> str:
    lines = [
        f"### {title}",
        "",
        "| target | connections | requests/s | p50 ms | p99 ms | non-2xx | socket errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in connections:
        for target, results in rows.items():
            r = results[c]
            lines.append(
                f"| {target} | {c} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} "
                f"| {r.non2xx} | {r.socket_errors} |"
            )
    return "\n".join(lines)


def ratios(rows: dict[str, dict[int, Result]], connections: list[int], workers: int) -> str:
    """Ours against the Node sample and the bare-Django floor, and ours on the 50-menu tree
    against ours on the demo's, per connection count."""
    lines = [
        "| connections | ours ÷ Node req/s | ours p99 ÷ Node p99 | ours ÷ bare Django req/s "
        "| our cost over bare Django, per request per worker | 50-menu tree ÷ ours req/s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in connections:
        ours, node, bare, large = (
            rows.get(name, {}).get(c) for name in ("ours", "Node sample", "bare Django", TREE)
        )
        cells = [
            f"{ours.requests_per_s / node.requests_per_s:.2f}" if node else "(no Node)",
            f"{ours.p99_ms / node.p99_ms:.2f}" if node else "(no Node)",
            f"{ours.requests_per_s / bare.requests_per_s:.3f}" if bare else "(no floor)",
            f"{workers * 1e6 * (1 / ours.requests_per_s - 1 / bare.requests_per_s):.0f} µs"
            if bare
            else "(no floor)",
            f"{large.requests_per_s / ours.requests_per_s:.2f}" if large else "(no tree)",
        ]
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def versions(args) -> str:
    def version(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except OSError:
            return "missing"
        # wrk prints its version with its usage, and exits 1.
        return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]

    import django
    import granian

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.platform()}. "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"SQLite {sqlite3.sqlite_version}, granian {granian.__version__}, "
        f"Node {version(['node', '--version'])}, {version(['wrk', '--version']).split(' [')[0]}. "
        f"Our server: {args.server} with {args.workers} workers, as `make serve` runs it; "
        f"wrk -t2 on the same cores. {args.runs} interleaved repetitions of {args.seconds} s "
        "per row, the median reported (errors of all repetitions added)."
    )


def targets(rows, connections, workers, big=None, admin=None, million=0, counting=None) -> str:
    """Issue 14's targets against this run's figures."""
    lines = ["| target | this run | met? |", "| --- | --- | --- |"]

    def line(target: str, figure: str, met: bool | None) -> None:
        lines.append(
            f"| {target} | {figure} | {'n/a' if met is None else 'yes' if met else '**no**'} |"
        )

    ours, node, bare = (rows.get(name, {}) for name in ("ours", "Node sample", "bare Django"))
    for c in connections:
        if node:
            share = ours[c].requests_per_s / node[c].requests_per_s
            line(
                f"ours ≥ 1.3 × the Node sample's requests/s at {c}", f"{share:.2f} ×", share >= 1.3
            )
    if 16 in ours:
        line("p99 at 16 connections ≤ 10 ms", f"{ours[16].p99_ms:.1f} ms", ours[16].p99_ms <= 10)
    if node and 64 in ours:
        limit = node[64].p99_ms / 3
        line(
            "p99 at 64 connections ≤ a third of Node's",
            f"{ours[64].p99_ms:.1f} ms (a third of Node's: {limit:.1f} ms)",
            ours[64].p99_ms <= limit,
        )
    for c in connections if TREE in rows else ():
        large = rows[TREE][c].requests_per_s
        share = large / ours[c].requests_per_s
        line(
            f"ours on the 50-menu tree within 10 % of the demo's requests/s at {c}",
            f"{share:.2f} × ({large:,.0f} vs {ours[c].requests_per_s:,.0f})",
            share >= 0.9,
        )
    if bare:
        c = max(connections)
        cost = workers * 1e6 * (1 / ours[c].requests_per_s - 1 / bare[c].requests_per_s)
        line(
            f"cost per request over bare Django, per worker, ≤ 250 µs (at {c})",
            f"{cost:.0f} µs",
            cost <= 250,
        )
    if big:
        small = rows["ours, full mix"]
        worst = min(big[c].requests_per_s / small[c].requests_per_s for c in connections)
        line(
            f"webhooks with {million:,} calls within 10 %", f"{worst:.2f} × at worst", worst >= 0.9
        )
    for page, seconds in (admin or {}).items():
        line(f"{page} ≤ 0.3 s with {million:,} calls", f"{seconds:.3f} s", seconds <= 0.3)
    if counting is not None:
        line("counting for /metrics < 10 µs a request", f"{counting:.1f} µs", counting < 10)
    return "\n".join(lines)


class Report:
    """What the benchmark prints, kept to be written into docs/performance.md."""

    def __init__(self):
        self.parts: list[str] = []

    def __call__(self, text: str = "") -> None:
        print(text, flush=True)
        self.parts.append(text)

    def write(self, path: Path) -> None:
        document = path.read_text()
        section = f"{BEGIN}\n{chr(10).join(self.parts).strip()}\n{END}"
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        path.write_text(pattern.sub(lambda _: section, document, count=1))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("SERVER", "granian"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--connections", type=lambda s: [int(c) for c in s.split(",")])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls-per-run", type=int, default=4000)
    parser.add_argument("--floors", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--node", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--postgres", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--planets9", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--million", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument(
        "--purge",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after the million: webhooks while purge_calls deletes it",
    )
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="write the results into docs/performance.md (--no-write for a trial run)",
    )
    args = parser.parse_args(argv)
    args.connections = args.connections or [16, 64]

    report = Report()
    began = time.perf_counter()
    report(f"## make bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    report(versions(args) + "\n")
    with tempfile.TemporaryDirectory(prefix="etphone-bench-") as workdir:
        bench = Bench(args, Path(workdir))
        rows = bench.side_by_side()
        title = "Side by side: 3 planets, a small call log (and the 50-menu tree's line)"
        report(table(title, rows, args.connections))
        report()
        report(ratios(rows, args.connections, args.workers))
        report(f"\nCalls in the log after these runs: {bench.call_count():,}\n")
        requests, counting = bench.metrics_cost()
        report(
            f"Counting for /metrics (multiprocess mode): {counting:.1f} µs of CPU a request, "
            f"over {requests:,} requests of the mix answered in one process.\n"
        )
        if args.postgres:
            report(bench.postgresql() + "\n")
        if args.planets9:
            count = manage(bench.env, "shell", "-c", EXTRA_PLANETS).split()[-1]
            nine = {"ours": bench.measure_ours()}
            report(table(f"Directory of {count} planets", nine, args.connections) + "\n")
        big = after = None
        if args.million:
            before = bench.admin_timings()
            started = time.perf_counter()
            manage(bench.env, "generate_calls", "--count", str(args.million))
            generated = time.perf_counter() - started
            report(f"Generated {args.million:,} calls in {generated:.0f} s.\n")
            big = bench.measure_ours()
            calls = bench.call_count()
            large = {"ours, full mix": big}
            report(table(f"With {calls:,} calls in the log", large, args.connections) + "\n")
            report("| connections | ours, full mix: req/s with the large log ÷ the small one |")
            report("| ---: | ---: |")
            for c in args.connections:
                share = big[c].requests_per_s / rows["ours, full mix"][c].requests_per_s
                report(f"| {c} | {share:.2f} |")
            after = bench.admin_timings()
            report("\n| admin page | small log s | large log s |\n| --- | ---: | ---: |")
            for name in after:
                report(f"| {name} | {before[name]:.3f} | {after[name]:.3f} |")
            report()
            if args.purge:
                slices, seconds, output = bench.during_purge()
                report(f"### Webhooks while purge_calls deletes the whole log\n\n{output}")
                report(f"It took {seconds:.0f} s; ours at 16 connections meanwhile, 5 s each:\n")
                report("| run | requests/s | p50 ms | p99 ms | non-2xx | socket errors |")
                report("| ---: | ---: | ---: | ---: | ---: | ---: |")
                for n, r in enumerate(slices, start=1):
                    report(
                        f"| {n} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} "
                        f"| {r.non2xx} | {r.socket_errors} |"
                    )
                if slices:
                    p99 = median(r.p99_ms for r in slices)
                    report(f"\nMedian p99 during the purge: {p99:.2f} ms.")
                report()
        report("### The targets (issue 14)\n")
        report(
            targets(rows, args.connections, args.workers, big, after, args.million, counting) + "\n"
        )
    report(f"The whole run took {(time.perf_counter() - began) / 60:.1f} minutes.")
    if args.write:
        report.write(DOCS)


if __name__ == "__main__":
    main()
