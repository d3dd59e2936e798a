"""Production configuration: from the environment, strict by default, loud when incomplete."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """manage.py in a clean environment: only what is given here (a local .env cannot leak in)."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    settings = {
        "DJANGO_SETTINGS_MODULE": "etphone.settings",
        "DJANGO_DEBUG": "",
        "DJANGO_SECRET_KEY": "",
        "TWILIO_AUTH_TOKEN": "",
        "TWILIO_VALIDATE_SIGNATURES": "true",
        "DATABASE_URL": "sqlite:////tmp/etphone-production-test.sqlite3",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **settings, **env},
        capture_output=True,
        text=True,
    )


def production_env_from_docs() -> dict:
    """The environment block docs/deploying.md documents, with its placeholders filled in the
    way an operator would."""
    deploying = (ROOT / "docs" / "deploying.md").read_text()
    (block,) = re.findall(r"<!-- production-env -->\s*```sh\n(.*?)```", deploying, re.S)
    env = dict(
        line.split("=", 1) for line in block.splitlines() if line and not line.startswith("#")
    )
    filled = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "DATABASE_URL": "sqlite:////tmp/etphone-production-test.sqlite3",
    }
    return {key: filled.get(key, value) for key, value in env.items()}


def test_check_deploy_passes_with_the_production_environment_in_the_docs():
    env = production_env_from_docs()
    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "TWILIO_AUTH_TOKEN"} <= set(env)
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_a_secret_key_production_refuses_to_start_and_names_it():
    result = run_manage("check", TWILIO_AUTH_TOKEN="x")
    assert result.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable" in result.stderr


def test_without_a_twilio_token_production_refuses_to_start_and_names_it():
    result = run_manage("check", DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "ivr.E001" in result.stderr
    assert "TWILIO_AUTH_TOKEN" in result.stderr


@pytest.mark.parametrize(
    ("service", "starts"), [("MG" + "0f" * 16, True), ("MG123", False), ("AC" + "0f" * 16, False)]
)
def test_a_messaging_service_sid_must_look_like_one_to_start(service, starts):
    result = run_manage(
        "check",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        TWILIO_AUTH_TOKEN=secrets.token_hex(16),
        TWILIO_MESSAGING_SERVICE_SID=service,
    )
    assert (result.returncode == 0) is starts, result.stderr
    named = f"TWILIO_MESSAGING_SERVICE_SID {service!r} is not a messaging service SID"
    assert (named in result.stderr) is not starts


def test_the_wsgi_application_refuses_to_load_without_a_twilio_token():
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME"}}
    result = subprocess.run(
        [sys.executable, "-c", "import etphone.wsgi"],
        cwd=ROOT,
        env={**base, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "TWILIO_AUTH_TOKEN": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "TWILIO_AUTH_TOKEN" in result.stderr


def wsgi_loaded(tmp_path, code: str) -> subprocess.CompletedProcess:
    """Python code run after `import etphone.wsgi`, as a production worker loads it."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME"}}
    return subprocess.run(
        [sys.executable, "-c", f"import etphone.wsgi\n{code}"],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "CALL_LOG_SPOOL_DIR": str(tmp_path / "spool"),
        },
        capture_output=True,
        text=True,
    )


def test_the_wsgi_application_freezes_what_start_up_made_out_of_full_collections(tmp_path):
    result = wsgi_loaded(tmp_path, "import gc; print(gc.get_freeze_count())")
    assert result.returncode == 0, result.stderr
    # Django and the apps: tens of thousands of objects no full collection walks again.
    assert int(result.stdout.split()[-1]) > 10_000


def test_the_wsgi_application_answers_webhooks_without_the_request_signals(tmp_path):
    result = wsgi_loaded(tmp_path, "print(type(etphone.wsgi.application).__qualname__)")
    assert result.returncode == 0, result.stderr
    # tests/ivr/test_handler.py: what it does.
    assert result.stdout.split()[-1] == "WebhookHandler"


def test_a_workers_first_japanese_caller_gives_the_collector_nothing_new_to_walk(tmp_path):
    """The Japanese readings (pykakasi's dictionary) are loaded and frozen at start-up."""
    code = (
        "import gc\n"
        "from ivr import speech\n"
        "before = len(gc.get_objects())\n"
        "assert speech.reading('惑星ダゴバ') == 'わくせいだごば'\n"
        "print(len(gc.get_objects()) - before)"
    )
    result = wsgi_loaded(tmp_path, code)
    assert result.returncode == 0, result.stderr
    # Made on first use, the dictionary was some 300,000 objects.
    assert int(result.stdout.split()[-1]) < 1_000


def test_switching_validation_off_does_not_let_production_start_without_a_token():
    result = run_manage(
        "check", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), TWILIO_VALIDATE_SIGNATURES="false"
    )
    assert result.returncode != 0
    assert "ivr.E001" in result.stderr


def test_switching_validation_off_warns_at_start():
    result = run_manage(
        "check", DJANGO_DEBUG="true", TWILIO_VALIDATE_SIGNATURES="false", TWILIO_AUTH_TOKEN=""
    )
    assert result.returncode == 0
    assert "ivr.W001" in result.stderr


def test_an_invalid_operator_number_is_a_start_up_error():
    result = run_manage("check", DJANGO_DEBUG="true", OPERATOR_NUMBER="call Bob")
    assert result.returncode != 0
    assert "ivr.E002" in result.stderr


def test_debug_is_off_unless_set():
    code = "from django.conf import settings; print(settings.DEBUG)"
    result = run_manage("shell", "-c", code, DJANGO_SECRET_KEY="x" * 50, TWILIO_AUTH_TOKEN="x")
    assert result.stdout.split()[-1] == "False", result.stderr


def test_the_admin_path_is_configurable():
    code = "from django.urls import reverse; print(reverse('admin:index'))"
    result = run_manage("shell", "-c", code, DJANGO_DEBUG="true", DJANGO_ADMIN_URL="crew-only/")
    assert result.stdout.split()[-1] == "/crew-only/", result.stderr


def test_a_bad_attempt_limit_is_a_start_up_error_naming_it():
    result = run_manage("check", DJANGO_DEBUG="true", IVR_MAX_ATTEMPTS="0")
    assert result.returncode != 0
    assert "IVR_MAX_ATTEMPTS" in result.stderr


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ({}, "9"),
        ({"IVR_PLANET_DIRECTORY_READS": "4"}, "4"),
        ({"IVR_PLANET_DIRECTORY_READS": "4", "IVR_PLANET_MENU_READS": "not a number"}, "4"),
        # Its name before December 2026, in an operator's .env from then.
        ({"IVR_PLANET_MENU_READS": "3"}, "3"),
        ({"IVR_PLANET_MENU_READS": "3", "IVR_PLANET_DIRECTORY_READS": "5"}, "5"),
    ],
)
def test_the_planets_the_directory_reads_are_set_under_either_name(given, read):
    code = "from django.conf import settings; print(settings.IVR_PLANET_DIRECTORY_READS)"
    result = run_manage("shell", "-c", code, DJANGO_DEBUG="true", **given)
    assert result.stdout.split()[-1] == read, result.stderr


def test_the_setting_under_its_old_name_gives_a_warning_saying_the_new_one():
    result = run_manage("check", DJANGO_DEBUG="true", IVR_PLANET_MENU_READS="3")
    assert "ivr.W003" in result.stderr
    assert "IVR_PLANET_MENU_READS is now called IVR_PLANET_DIRECTORY_READS" in result.stderr
    renamed = run_manage("check", DJANGO_DEBUG="true", IVR_PLANET_DIRECTORY_READS="3")
    assert "ivr.W003" not in renamed.stderr


def test_a_directory_reading_no_planet_is_a_start_up_error_naming_it():
    result = run_manage("check", DJANGO_DEBUG="true", IVR_PLANET_MENU_READS="0")
    assert result.returncode != 0
    assert "IVR_PLANET_DIRECTORY_READS (IVR_PLANET_MENU_READS before) must be" in result.stderr


@pytest.mark.parametrize("value", ["1.5", "-0.1", "sure", "nan"])
def test_a_bad_speech_confidence_is_a_start_up_error_naming_it(value):
    result = run_manage("check", DJANGO_DEBUG="true", SPEECH_CONFIDENCE=value)
    assert result.returncode != 0
    assert "SPEECH_CONFIDENCE" in result.stderr


@pytest.mark.django_db
def test_the_suite_runs_on_the_engine_database_url_names():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.parametrize("value", ["0", "-1", "20", "soon"])
def test_a_database_timeout_out_of_bounds_is_a_start_up_error_naming_it(value):
    result = run_manage("check", DJANGO_DEBUG="true", DATABASE_TIMEOUT=value)
    assert result.returncode != 0
    assert "DATABASE_TIMEOUT" in result.stderr


def test_the_call_log_spool_is_next_to_manage_py_unless_set():
    code = "from django.conf import settings; print(settings.CALL_LOG_SPOOL_DIR)"
    default = run_manage("shell", "-c", code, DJANGO_DEBUG="true", CALL_LOG_SPOOL_DIR="")
    assert default.stdout.split()[-1] == str(ROOT / "spool"), default.stderr
    chosen = run_manage("shell", "-c", code, DJANGO_DEBUG="true", CALL_LOG_SPOOL_DIR="/var/x")
    assert chosen.stdout.split()[-1] == "/var/x", chosen.stderr


def test_a_metrics_directory_that_is_not_there_is_a_start_up_error_naming_it(tmp_path):
    result = run_manage(
        "check", DJANGO_DEBUG="true", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "missing")
    )
    assert result.returncode != 0
    assert "PROMETHEUS_MULTIPROC_DIR" in result.stderr


def test_an_empty_metrics_directory_setting_counts_in_the_process(tmp_path):
    # Else prometheus_client would take "" for a directory, and write its files where it runs.
    code = "from prometheus_client import values; print(values.ValueClass.__name__)"
    result = run_manage("shell", "-c", code, DJANGO_DEBUG="true", PROMETHEUS_MULTIPROC_DIR="")
    assert result.stdout.split()[-1] == "MutexValue", result.stderr
