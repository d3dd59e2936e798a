"""Start the real production server (scripts/serve: gunicorn) in a subprocess for a test."""

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "server-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


@contextmanager
def running_server(env: dict, *, workers: int = 2, log_path: Path):
    """scripts/serve on a free loopback port; yields its base URL, stops it afterwards."""
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
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


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
    return session.post(
        url,
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "name": "Dagobah",
            "spoken_name": "the planet DuhGo bah",
            "key": "3",
            "phone_number": number,
            "is_active": "on",
            "position": "20",
            "_save": "Save",
        },
        timeout=30,
        allow_redirects=False,
    )
