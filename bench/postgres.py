"""make bench's PostgreSQL row: two app servers on one database, the load split between them.

Run by bench/run.py under scripts/with-postgres (a throwaway server; DATABASE_URL points at it).
Each app server is scripts/serve as `make serve` runs it, with its own spool directory, as two
machines would have; one wrk sends half its connections to each, as a load balancer would.
Prints a markdown table.
"""

import argparse
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench import mix
from bench.run import ensure_wrk, median_result, table, wrk_run
from tests.server import TOKEN, planet_pk, prepare_database, running_server, server_env


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="granian")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=lambda s: [int(c) for c in s.split(",")])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls-per-run", type=int, default=4000)
    args = parser.parse_args(argv)
    wrk = ensure_wrk()
    envs = [
        server_env(
            os.environ["DATABASE_URL"], SERVER=args.server, WEB_CONCURRENCY=str(args.workers)
        )
        for _ in range(2)
    ]
    prepare_database(envs[0])
    planet = planet_pk(envs[0], "Dagobah")
    with tempfile.TemporaryDirectory(prefix="etphone-bench-pg-") as workdir, ExitStack() as stack:
        bases = [
            stack.enter_context(
                running_server(env, workers=args.workers, log_path=Path(workdir) / f"{n}.log")
            )
            for n, env in enumerate(envs)
        ]
        addresses = ",".join(base.removeprefix("http://") for base in bases)
        runs = 0

        def run(connections: int, seconds: int):
            nonlocal runs
            runs += 1
            # Signed for the first server's address, the Host every request carries.
            batch = mix.calls(
                base_url=bases[0],
                token=TOKEN,
                prefix=f"CApg{runs:03d}x",
                count=args.calls_per_run,
                planet_pk=planet,
            )
            path = Path(workdir) / f"requests-{runs}.tsv"
            path.write_text("\n".join(request.tsv() for request in batch) + "\n")
            return wrk_run(
                wrk,
                bases[0],
                path,
                connections=connections,
                seconds=seconds,
                addresses=addresses,
            )

        run(16, 2)
        results = {
            c: median_result([run(c, args.seconds) for _ in range(args.runs)])
            for c in args.connections or [16, 64]
        }
    title = (
        f"Ours, full mix, on PostgreSQL: two app servers of {args.workers} workers each, "
        "half of the connections to each"
    )
    print(table(title, {"ours, 2 servers": results}, list(results)))


if __name__ == "__main__":
    main()
