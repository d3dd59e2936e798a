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


def test_every_test_of_the_database_runs_again_but_in_a_browser(suite):
    with_database = [
        item
        for item in suite
        if item.get_closest_marker("django_db")
        and "browser" not in item.fixturenames
        and database_of(item) != "sqlite"
    ]
    assert [item.nodeid for item in with_database if _sqlite_run_only(item)] == []


def test_what_would_only_repeat_the_sqlite_run_is_not_asked_again(suite):
    repeats = [
        item
        for item in suite
        if database_of(item) == "sqlite"
        or "browser" in item.fixturenames
        or (item.get_closest_marker("django_db") is None and not item.fixturenames)
    ]
    assert [item.nodeid for item in repeats if not _sqlite_run_only(item)] == []
