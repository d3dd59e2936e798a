"""Reads of the directory for the call flow: the Script, read once per process per change."""

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from functools import cache, lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from django.utils.translation import gettext
from prometheus_client.core import GaugeMetricFamily

from metrics import registry as metrics

from .hours import is_open
from .models import (
    Action,
    CalledNumber,
    Directions,
    Language,
    Menu,
    Option,
    Revision,
)
from .script import Script
from .script_rows import DIRECTORY_MODELS, script_of

logger = logging.getLogger("directory")


@cache
def _revision_query() -> tuple[str, str, tuple]:
    # Kept for ever: the query and the database's kind are fixed for a process. Built by the
    # ORM once: every webhook runs this read, and building a QuerySet, or passing through
    # Django's cursor wrapper, costs more than SQLite or PostgreSQL take to answer it
    # (docs/performance.md). The SQL as Django's cursor takes it (%s parameters), and as the
    # database's driver does (SQLite's takes ?).
    query = Revision.objects.filter(pk=1).values_list("token", flat=True)[:1].query
    sql, params = query.sql_with_params()
    driver_sql = sql.replace("%s", "?") if connection.vendor == "sqlite" else sql
    return sql, driver_sql, params


def revision_get() -> int | None:
    """The directory's revision token: one indexed single-row read. None if the row is gone.

    It goes to the database driver itself, keeping what Django's cursor gives: the connection
    health check (DATABASE_CONN_HEALTH_CHECKS), Django's errors (a DatabaseError, after which
    the connection is renewed), the query log when queries are logged (DEBUG, tests), and
    Django's cursor itself when something watches queries (connection.execute_wrapper)."""
    sql, driver_sql, params = _revision_query()
    database = connections[DEFAULT_DB_ALIAS]  # looked up once, not per attribute
    if database.execute_wrappers:
        with database.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return row[0] if row else None
    database.close_if_health_check_failed()
    database.ensure_connection()
    with database.wrap_database_errors:
        row = database.connection.execute(driver_sql, params).fetchone()
    if database.queries_logged:
        database.queries_log.append({"sql": f"{sql} {params}", "time": "0.000"})
    return row[0] if row else None


def script_read() -> Script:
    """Everything a call step may say, in every language, from the database (16 queries)."""
    return script_of(
        {model: model.objects.all() for model in DIRECTORY_MODELS}
        | {Directions: Directions.objects.filter(in_use=True)}
    )


def script_as_of(when: datetime) -> Script | None:
    """The script as it was at a moment, rebuilt from the directory's history (what a caller
    heard then); None before the history begins (no language recorded yet)."""
    rows = {model: model.history.as_of(when) for model in DIRECTORY_MODELS}
    if not rows[Language]:
        return None
    return script_of(rows)


def menus_unreached() -> list[Menu]:
    """Menus no call reaches: neither where calls start, nor a number's first menu, nor led to
    by an active option of a menu that is reached."""
    menus = {menu.pk: menu for menu in Menu.objects.all()}
    leads: dict[int, set[int]] = {}
    for option in Option.objects.filter(is_active=True, target_menu__isnull=False):
        leads.setdefault(option.menu_id, set()).add(option.target_menu_id)
    first = min(
        menus.values(), key=lambda menu: (not menu.is_default, menu.name, menu.pk), default=None
    )
    starts = {
        first and first.pk,
        *CalledNumber.objects.filter(entry_menu__isnull=False).values_list(
            "entry_menu_id", flat=True
        ),
    }
    reached, waiting = set(), [pk for pk in starts if pk is not None]
    while waiting:
        pk = waiting.pop()
        if pk not in reached:
            reached.add(pk)
            waiting.extend(leads.get(pk, ()))
    return [menu for pk, menu in sorted(menus.items()) if pk not in reached]


def option_leads_to(option: Option) -> str:
    """What an option does, as staff say it: “Go to another menu: Help desk”."""
    target = option.target_menu or option.target_planet or option.target_language
    action = option.get_action_display()
    if option.action in (Action.ANNOUNCE, Action.TEXT):
        then = option.target_menu or gettext("hang up")
        return gettext("%(action)s (then %(then)s)") % {"action": action, "then": then}
    return f"{action}: {target}" if target else action


def script_get() -> Script:
    """The script, read again only when the directory's revision token changed.

    The token is read before the data: a change committed in between is then read with the
    older token, and read once more on the next request, never missed.
    """
    token = revision_get()
    if token is None:
        return replace(script_read(), revision=None)
    return _script_at(token)


# Kept: the script of the latest token only. Any change staff make changes the token (the
# directory's triggers, triggers.py), so the next request reads the script again.
@lru_cache(maxsize=1)
def _script_at(token: int) -> Script:
    metrics.directory_revision_in_use(token)
    return replace(script_read(), revision=token)


def planets_open(*, now: datetime) -> int:
    """How many of the planets callers can reach (active) are open at `now`; a planet without
    opening hours is always open."""
    return sum(is_open(planet.hours, now) for planet in script_get().directory_planets)


def planets_open_collect() -> Iterator[GaugeMetricFamily]:
    """For /metrics: the planets open now, so an alert can tell a quiet night from a dead line."""
    try:
        count = planets_open(now=timezone.now())
    except Exception as error:
        # The database gone: /metrics still serves the other figures (the apologies among them).
        logger.warning("/metrics leaves out the planets open: %s", error)
        return
    gauge = GaugeMetricFamily(
        "etphone_planets_open",
        "Active planets open now by their opening hours (a planet without hours is always open).",
    )
    gauge.add_metric([], count)
    yield gauge
