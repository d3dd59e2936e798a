"""Start the real production server (scripts/serve: granian) in a subprocess for a test."""

import contextlib
import fcntl
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

from tests.admin_forms import form_fields

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "server-test-token"


# Ports for the tests' servers: below Linux's ephemeral range (32768 up, where bind(0) and
# every outgoing connection take theirs), each claimed by a lock file held while this test
# process lives. granian's workers listen with SO_REUSEPORT, so a second server started on a
# port another test process's server listens on would silently share its connections: a CI run
# once lost 4 requests of the Prometheus test to a reliability test's server that way.
TEST_PORTS = range(20000, 32000)
_claimed_ports = []  # the lock files' open handles: closing one frees its port for others


def free_port() -> int:
    """A loopback port no listener has and no other test process on this machine will take."""
    locks = Path(tempfile.gettempdir()) / "etphone-test-ports"
    locks.mkdir(exist_ok=True)
    tries = min(100, len(TEST_PORTS))
    for port in random.sample(TEST_PORTS, tries):
        lock = open(locks / f"{port}.lock", "w")  # noqa: SIM115 (held open on purpose)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", port))
        except OSError:  # claimed by another test process, or something listens there
            lock.close()
            continue
        _claimed_ports.append(lock)
        return port
    raise RuntimeError(f"No free port in {TEST_PORTS} after {tries} tries")


def server_env(database_url: str, **overrides: str) -> dict:
    """A production environment on plain-http loopback (TLS would be the proxy's job)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SESSION_COOKIE_SECURE="false",
        DJANGO_CSRF_COOKIE_SECURE="false",
        TWILIO_AUTH_TOKEN=TOKEN,
        # Each environment is a machine of its own, with its own spool for the call log.
        CALL_LOG_SPOOL_DIR=tempfile.mkdtemp(prefix="etphone-spool-"),
        VENV_BIN=str(Path(sys.executable).parent),
    )
    env.update(overrides)
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def prepare_database(env: dict) -> None:
    """Migrate, load the demo and create a superuser "admin" with password "admin-password"."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "loaddata", "demo", "-v0")
    manage(
        {**env, "DJANGO_SUPERUSER_PASSWORD": "admin-password"},
        "createsuperuser",
        "--noinput",
        "--username=admin",
        "--email=admin@example.com",
    )


@dataclass(frozen=True)
class Server:
    base: str
    process: subprocess.Popen

    def workers(self) -> list[int]:
        """The pids of the server's worker processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


@contextmanager
def serving(env: dict, *, workers: int = 2, log_path: Path):
    """scripts/serve on a free loopback port; yields the Server, stops it (SIGTERM) afterwards."""
    port = free_port()
    env = {**env, "PORT": str(port), "LISTEN_HOST": "127.0.0.1", "WEB_CONCURRENCY": str(workers)}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve")], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited:\n{log_path.read_text()}")
                try:
                    requests.get(f"{base}/", timeout=1)
                    break
                except requests.ConnectionError as error:
                    if time.monotonic() > deadline:
                        log_text = log_path.read_text()
                        raise RuntimeError(f"server did not start:\n{log_text}") from error
                    time.sleep(0.2)
            yield Server(base, process)
        finally:
            process.terminate()
            process.wait(timeout=60)


@contextmanager
def running_server(env: dict, *, workers: int = 2, log_path: Path):
    """scripts/serve on a free loopback port; yields its base URL, stops it afterwards."""
    with serving(env, workers=workers, log_path=log_path) as server:
        yield server.base


def planet_pk(env: dict, name: str) -> int:
    code = f"from directory.models import Planet; print(Planet.objects.get(name={name!r}).pk)"
    return int(manage(env, "shell", "-c", code).split()[-1])


def signed_post(base: str, path: str, params: dict, *, session=None) -> requests.Response:
    """POST to a webhook as Twilio does: form parameters, signed with the auth token."""
    signature = RequestValidator(TOKEN).compute_signature(f"{base}{path}", params)
    return (session or requests).post(
        f"{base}{path}", data=params, headers={"X-Twilio-Signature": signature}, timeout=30
    )


def admin_session(base: str) -> requests.Session:
    """A requests session logged in to the admin through its login form."""
    session = requests.Session()
    login = f"{base}/admin/login/"
    session.get(login, timeout=10)
    response = session.post(
        login,
        data={
            "username": "admin",
            "password": "admin-password",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "next": "/admin/",
        },
        timeout=10,
    )
    assert response.url == f"{base}/admin/", response.text[:500]
    return session


def change_planet_number(session: requests.Session, base: str, pk: int, number: str):
    url = f"{base}/admin/directory/planet/{pk}/change/"
    page = session.get(url, timeout=10)
    assert page.status_code == 200
    # The form as rendered (its spoken names inline included), with the number changed.
    data = {**form_fields(page.text), "phone_number": number, "_save": "Save"}
    return session.post(url, data=data, timeout=30, allow_redirects=False)


LOG_DUMP = """
import contextlib
import json
from calllog.models import Call, Step
log = {sid: [0] for sid in Call.objects.values_list("call_sid", flat=True)}
steps = Step.objects.order_by("call_id", "sequence").values_list("call_id", "sequence")
for sid, sequence in steps:
    log.setdefault(sid, []).append(sequence)
print(json.dumps(log))
"""


def dump_log(env: dict) -> dict[str, list[int]]:
    """The call log as {CallSid: sequences}: 0 for the call's own row, then each step's."""
    return json.loads(manage(env, "shell", "-c", LOG_DUMP).strip().splitlines()[-1])


class Cable:
    """A TCP cable between the app and its database that a test can pull out and plug back.

    Pulled, it cuts every open connection and takes new ones without ever answering, as a
    database host that vanished from the network does.
    """

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.pulled = threading.Event()
        self._open: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self._listener.accept()
            self._open.append(client)
            if self.pulled.is_set():
                continue  # taken, never answered
            upstream = socket.create_connection(self.target)
            self._open.append(upstream)
            for source, sink in [(client, upstream), (upstream, client)]:
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def pull(self) -> None:
        self.pulled.set()
        for end in self._open:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        self._open.clear()

    def plug_back(self) -> None:
        self.pulled.clear()
