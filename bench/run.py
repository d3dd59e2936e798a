"""make bench: the production server under a realistic mix of signed Twilio requests.

Starts scripts/serve (the server `make serve` runs) on loopback with the demo directory, a test
auth token, signature validation and call logging on, and drives it with wrk and
bench/replay.lua. The same mix runs against two floors on the same server and workers: a bare
Django view and a raw WSGI callable. Prints requests/s, p50 and p99 latency, non-2xx
responses and socket errors per connection count, and ours as a share of the bare-Django floor.
A benchmark, not a test: nothing here asserts; docs/performance.md reads the numbers.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import mix
from tests.server import (
    ROOT,
    TOKEN,
    admin_session,
    manage,
    planet_pk,
    prepare_database,
    running_server,
    server_env,
)

TARGETS = {
    "ours": "etphone.wsgi:application",
    "bare Django": "bench.floors:bare_django",
    "raw WSGI": "bench.floors:raw_wsgi",
}

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


def wrk_run(wrk, base, requests_file, *, connections, seconds) -> Result:
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
        env={**os.environ, "BENCH_REQUESTS": str(requests_file)},
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
    """The run with the median requests/s, with the errors of all runs added up."""
    middle = sorted(results, key=lambda r: r.requests_per_s)[len(results) // 2]
    return Result(
        requests_per_s=middle.requests_per_s,
        p50_ms=middle.p50_ms,
        p99_ms=middle.p99_ms,
        non2xx=sum(r.non2xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
    )


class Bench:
    def __init__(self, args, workdir: Path):
        self.args, self.workdir, self.wrk = args, workdir, ensure_wrk()
        self.env = server_env(f"sqlite:///{workdir / 'db.sqlite3'}", SERVER=args.server)
        self.env["WEB_CONCURRENCY"] = str(args.workers)
        prepare_database(self.env)
        self.planet = planet_pk(self.env, "Dagobah")
        self.runs = 0

    def requests_file(self, base: str) -> Path:
        """A fresh set of calls for every run, so the call log's inserts are real inserts."""
        self.runs += 1
        path = self.workdir / f"requests-{self.runs}.tsv"
        batch = mix.calls(
            base_url=base,
            token=TOKEN,
            prefix=f"CAb{self.runs:03d}x",
            count=self.args.calls_per_run,
            planet_pk=self.planet,
        )
        path.write_text("\n".join(request.tsv() for request in batch) + "\n")
        return path

    def measure(self, target: str) -> dict[int, Result]:
        env = {**self.env, "WSGI_APP": TARGETS[target]}
        log = self.workdir / f"server-{self.runs}.log"
        with running_server(env, workers=self.args.workers, log_path=log) as base:
            wrk_run(self.wrk, base, self.requests_file(base), connections=16, seconds=3)
            results = {}
            for connections in self.args.connections:
                runs = [
                    wrk_run(
                        self.wrk,
                        base,
                        self.requests_file(base),
                        connections=connections,
                        seconds=self.args.seconds,
                    )
                    for _ in range(self.args.runs)
                ]
                results[connections] = median_result(runs)
            return results

    def admin_timings(self) -> dict[str, float]:
        """Seconds to render the calls list and the dashboard (best of 3, warm)."""
        env = {**self.env, "WSGI_APP": TARGETS["ours"]}
        with running_server(env, workers=1, log_path=self.workdir / "admin.log") as base:
            session = admin_session(base)
            timings = {}
            for name, path in [
                ("calls list", "/admin/calllog/call/"),
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
            wrk_run(self.wrk, base, self.requests_file(base), connections=16, seconds=3)
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

    def call_count(self) -> int:
        code = "from calllog.models import Call; print(Call.objects.count())"
        return int(manage(self.env, "shell", "-c", code).split()[-1])


def table(title: str, rows: dict[str, dict[int, Result]], connections: list[int]) -> str:
    lines = [
        f"### {title}",
        "",
        "| target | connections | requests/s | p50 ms | p99 ms | non-2xx | socket errors "
        "| ours ÷ bare Django |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in connections:
        floor = rows.get("bare Django", {}).get(c)
        for target, results in rows.items():
            r = results[c]
            ratio = f"{r.requests_per_s / floor.requests_per_s:.2f}" if floor else ""
            lines.append(
                f"| {target} | {c} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} "
                f"| {r.non2xx} | {r.socket_errors} | {ratio if target == 'ours' else ''} |"
            )
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("SERVER", "granian"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--connections", type=lambda s: [int(c) for c in s.split(",")])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls-per-run", type=int, default=4000)
    parser.add_argument("--floors", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--planets9", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--million", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument(
        "--purge",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after the million: webhooks while purge_calls deletes it",
    )
    args = parser.parse_args(argv)
    args.connections = args.connections or [16, 64]

    print(
        f"# make bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, server {args.server} with {args.workers} workers, "
        f"{args.runs} runs of {args.seconds} s per row (median run), wrk -t2.\n",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="etphone-bench-") as workdir:
        bench = Bench(args, Path(workdir))
        targets = list(TARGETS) if args.floors else ["ours"]
        rows = {target: bench.measure(target) for target in targets}
        print(table("Directory of 3 planets, empty call log", rows, args.connections), flush=True)
        print(f"\nCalls in the log after these runs: {bench.call_count():,}\n", flush=True)
        if args.planets9:
            count = manage(bench.env, "shell", "-c", EXTRA_PLANETS).split()[-1]
            nine = {"ours": bench.measure("ours")}
            print(table(f"Directory of {count} planets", nine, args.connections), flush=True)
            print()
        if args.million:
            before = bench.admin_timings()
            started = time.perf_counter()
            manage(bench.env, "generate_calls", "--count", str(args.million))
            generated = time.perf_counter() - started
            print(f"Generated {args.million:,} calls in {generated:.0f} s.\n", flush=True)
            big = {"ours": bench.measure("ours")}
            print(table(f"With {bench.call_count():,} calls in the log", big, args.connections))
            after = bench.admin_timings()
            print("\n| admin page | small log s | large log s |\n| --- | ---: | ---: |")
            for name in after:
                print(f"| {name} | {before[name]:.3f} | {after[name]:.3f} |")
            print()
            if args.purge:
                slices, seconds, output = bench.during_purge()
                print(f"### Webhooks while purge_calls deletes the whole log\n\n{output}")
                print(f"It took {seconds:.0f} s; ours at 16 connections meanwhile, 5 s each:\n")
                print("| run | requests/s | p50 ms | p99 ms | non-2xx | socket errors |")
                print("| ---: | ---: | ---: | ---: | ---: | ---: |")
                for n, r in enumerate(slices, start=1):
                    print(
                        f"| {n} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} "
                        f"| {r.non2xx} | {r.socket_errors} |"
                    )
                print()


if __name__ == "__main__":
    main()
