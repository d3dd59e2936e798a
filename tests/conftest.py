import hashlib
import os
import xml.etree.ElementTree as ET
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.http import urlencode
from twilio.request_validator import RequestValidator

# The browser and page fixtures, for the end-to-end tests; a fake Twilio REST API.
pytest_plugins = ["tests.browser", "tests.fake_twilio"]


# Fixtures that give a test the database (pytest-django's, and ours for a server's own).
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "postgres_database", "database_url"}


def _on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _sqlite_run_only(item) -> str:
    """Why a test need not run again on PostgreSQL (make test's second run), or ""."""
    if getattr(item, "callspec", None) and item.callspec.params.get("database_url") == "sqlite":
        return "the SQLite run asked this already"
    if "browser" in item.fixturenames:
        return "a browser test: what it checks is the page, asked in the SQLite run"
    if marker := item.get_closest_marker("sqlite_run_only"):
        return marker.kwargs["reason"]
    if item.get_closest_marker("django_db") is None and not (
        DATABASE_FIXTURES & set(item.fixturenames)
    ):
        return "uses no database: the SQLite run asked this already"
    return ""


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL run repeats only the tests whose answer the database can change."""
    if not _on_postgresql():
        return
    for item in items:
        if reason := _sqlite_run_only(item):
            item.add_marker(pytest.mark.skip(reason=reason))


def parse_twiml(response) -> ET.Element:
    """The <Response> root of a TwiML answer; fails unless it is a 200 text/xml TwiML document."""
    assert response.status_code == HTTPStatus.OK, response.content[:500]
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return root


def counted(name: str, **labels) -> float:
    """A sample of this process's metrics (what /metrics serves outside the server's workers)."""
    from metrics.registry import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def spoken(element: ET.Element) -> list[str]:
    """Every <Say> text under element, in document order."""
    return [say.text for say in element.iter("Say")]


def prompt_text(key: str, language: str = "en-GB") -> str:
    """A prompt's words in a language, as staff wrote them; of the demo's tree, "greeting" is
    what the main menu says and "thank_you" what a caller hears after the directions (the
    directions-by-text menu's goodbye)."""
    from directory.models import Announcement, MenuPrompt, PromptText

    if key == "greeting":
        return MenuPrompt.objects.get(menu__slug="main", language__code=language).text
    if key == "thank_you":
        return Announcement.objects.get(
            option__menu__slug="directions-by-text", option__key="0", language__code=language
        ).text
    return PromptText.objects.get(prompt__key=key, language__code=language).text


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request's language stays active in its thread: the next test starts in the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# What loaddata wrote, by fixture and the directory's rows before it: the rows it added, or
# None where it changed a row that was there (then it runs every time).
_loaded_rows: dict[tuple, dict | None] = {}


def _directory_rows() -> dict:
    """Every row of the directory's tables (histories included), by model and primary key; the
    Revision row is left out: its token is the triggers', which loaddata and the copy both fire."""
    from django.apps import apps

    from directory.models import Revision

    return {
        model: {row.pk: row for row in model._base_manager.order_by("pk")}
        for model in apps.get_app_config("directory").get_models(include_auto_created=True)
        if model is not Revision
    }


def _values(row) -> tuple:
    return tuple(getattr(row, field.attname) for field in row._meta.concrete_fields)


def _fingerprint(rows: dict) -> tuple:
    return tuple(
        (model._meta.label, pk, _values(row))
        for model, by_pk in rows.items()
        for pk, row in by_pk.items()
    )


@pytest.fixture
def demo(db):
    """The demo directory from fixtures/demo.json."""
    loaddata_once("demo")


def loaddata_once(fixture: str | Path) -> None:
    """loaddata of a fixture (a name, or a file's path), or what it wrote. loaddata takes a third
    of a second for the demo (natural keys, history), seconds for a large tree: the first test
    of a process to load a fixture on a directory in a given state runs it; the next ones on
    the same state get the same rows (primary keys and histories included) inserted again as
    loaddata's raw saves insert them, each table's sequence reset as loaddata resets it.
    tests/directory/test_fixtures.py compares the two; it and test_tree_fixtures.py run
    loaddata itself."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    before = _directory_rows()
    content = (
        hashlib.sha256(Path(fixture).read_bytes()).hexdigest()
        if Path(fixture).is_file()
        else fixture
    )
    key = (content, _fingerprint(before))
    if added := _loaded_rows.get(key):
        with transaction.atomic():
            for model, rows in added.items():
                fields = model._meta.concrete_fields
                size = connection.ops.bulk_batch_size(fields, rows) or len(rows)
                for start in range(0, len(rows), size):
                    # As loaddata's raw save inserts (no auto_now, no signals).
                    model._base_manager._insert(rows[start : start + size], fields, raw=True)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(added)):
                    cursor.execute(sql)
        return
    call_command("loaddata", str(fixture), verbosity=0)
    if key in _loaded_rows:
        return
    after = _directory_rows()
    kept = all(
        pk in after[model] and _values(after[model][pk]) == _values(row)
        for model, by_pk in before.items()
        for pk, row in by_pk.items()
    )
    _loaded_rows[key] = (
        {
            model: [row for pk, row in rows.items() if pk not in before[model]]
            for model, rows in after.items()
            if rows.keys() - before[model].keys()
        }
        if kept
        else None
    )


def sign(url: str, params=None, *, token: str | None = None) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and these POST parameters."""
    form = MultiValueDict(
        {
            name: [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
            for name, value in (params or {}).items()
        }
    )
    return RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(url, form)


class TwilioClient(Client):
    """A test client that signs every GET and POST the way Twilio does."""

    def __init__(self, **defaults):
        # Twilio calls an allowed host; the test client's default "testserver" is not one.
        defaults.setdefault("HTTP_HOST", "localhost")
        super().__init__(**defaults)

    def _url(self, path: str, secure: bool) -> str:
        return f"{'https' if secure else 'http'}://{self.defaults['HTTP_HOST']}{path}"

    def get(self, path, data=None, secure=False, **extra):
        if data:
            path += ("&" if "?" in path else "?") + urlencode(data, doseq=True)
        extra.setdefault("HTTP_X_TWILIO_SIGNATURE", sign(self._url(path, secure)))
        return super().get(path, secure=secure, **extra)

    def post(self, path, data=None, secure=False, **extra):
        extra.setdefault("HTTP_X_TWILIO_SIGNATURE", sign(self._url(path, secure), data))
        if path.startswith("/ivr/") and "content_type" not in extra:
            # As Twilio sends a webhook: a urlencoded form (the test client's default is
            # multipart, which Django reads by another path).
            extra["content_type"] = "application/x-www-form-urlencoded"
            return super().post(path, urlencode(data or {}, doseq=True), secure=secure, **extra)
        return super().post(path, data or {}, secure=secure, **extra)


@pytest.fixture
def client():
    """A Twilio-like client: requests are signed with the configured auth token."""
    return TwilioClient()


@pytest.fixture
def unsigned_client():
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def django_settings(settings):
    """pytest-django's settings fixture, under a name that does not clash with hypothesis."""
    return settings


@pytest.fixture
def postgres_database():
    """A fresh database on the PostgreSQL server DATABASE_URL names; dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (make test's second run)")
    name = f"etphone_server_{os.getpid()}"
    admin_url = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield urlsplit(url)._replace(path=f"/{name}").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return request.getfixturevalue("postgres_database")
