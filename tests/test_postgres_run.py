"""make test's second run, on PostgreSQL, repeats every test whose answer the database can
change, and only those (tests/conftest.py)."""

import pytest

from tests.conftest import _sqlite_run_only


def database_of(item) -> str:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("database_url", "") if callspec else ""


@pytest.fixture
def suite(request):
    """Every test collected in this run: the rule is about the whole suite."""
    if len(request.session.items) < 200:
        pytest.skip("asks about the whole suite: run it with the others")
    return request.session.items


def test_every_test_on_postgresql_runs_there(suite):
    on_postgresql = [
        item
        for item in suite
        if database_of(item) == "postgresql" or "postgres_database" in item.fixturenames
    ]
    assert [item.nodeid for item in on_postgresql if _sqlite_run_only(item)] == []


def test_every_test_of_the_database_runs_again_but_in_a_browser_or_marked_with_why_not(suite):
    with_database = [
        item
        for item in suite
        if item.get_closest_marker("django_db")
        and "browser" not in item.fixturenames
        and database_of(item) != "sqlite"
        and not item.get_closest_marker("sqlite_run_only")
    ]
    assert [item.nodeid for item in with_database if _sqlite_run_only(item)] == []


# What the database can change, and so runs on PostgreSQL whatever a marker says: the call log's
# writes, merges and spool, purges and locks, the directory (migrations, triggers, history,
# import and export), voicemail, and the servers on each database.
KEPT_ON_POSTGRESQL = (
    "tests/calllog/",
    "tests/directory/",
    "tests/voicemail/",
    "tests/ivr/test_views.py",
    "tests/ivr/test_speech_views.py",
    "tests/ivr/test_health.py",
    "tests/ivr/test_failures.py",
    "tests/test_reliability.py",
    "tests/test_servers.py",
)


def test_a_test_marked_for_the_sqlite_run_only_says_why_and_is_not_of_the_database(suite):
    marked = [item for item in suite if item.get_closest_marker("sqlite_run_only")]
    assert len(marked) > 100  # the marker is where tests/conftest.py looks for it
    assert [
        item.nodeid
        for item in marked
        if not item.get_closest_marker("sqlite_run_only").kwargs.get("reason", "").strip()
        or item.nodeid.startswith(KEPT_ON_POSTGRESQL)
    ] == []


def test_what_would_only_repeat_the_sqlite_run_is_not_asked_again(suite):
    repeats = [
        item
        for item in suite
        if database_of(item) == "sqlite"
        or "browser" in item.fixturenames
        or (item.get_closest_marker("django_db") is None and not item.fixturenames)
    ]
    assert [item.nodeid for item in repeats if not _sqlite_run_only(item)] == []


def test_the_permission_matrix_asks_a_role_on_postgresql_too(suite):
    matrix = [item for item in suite if item.nodeid.startswith("tests/test_permission_matrix.py")]
    assert [item for item in matrix if not _sqlite_run_only(item)] != []
