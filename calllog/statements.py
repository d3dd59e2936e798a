"""The SQL the call log's writer runs: the columns each statement writes, and how a write merges
into a call's row that is there already (in any order, and again when written twice)."""

from functools import cache
from operator import itemgetter

from django.db import connection

from .models import (
    FIGURE_SUMMARY,
    Call,
    Step,
    Utterance,
)


def insert_statement(model, fields: list[str], on_conflict: str = "") -> str:
    """INSERT of one row of these fields (by name) into the model's table."""
    q = connection.ops.quote_name
    columns = ", ".join(q(model._meta.get_field(name).column) for name in fields)
    values, table = ", ".join(["%s"] * len(fields)), q(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({values}) {on_conflict}".rstrip()


# The longest a call's set of planets or of answers at menus grows (see _merges()).
SUMMARY_SET_LENGTH = 600
SUMMARY_COLUMNS = [*FIGURE_SUMMARY, "last_menu_step"]
NO_SUMMARY = {"chose_directions": False, "chose_planets": False}
NO_SUMMARY |= {"planets_dialed": "", "planets_answered": "", "menu_answers": ""}
NO_SUMMARY |= {"last_menu": "", "last_menu_step": None}
NO_LANGUAGE = {"language": "", "language_chosen_at": None}
NO_REVISION = {"directory_revision": None, "greeted_at": None, "first_menu": ""}
CALL_COLUMNS = ["call_sid", "from_number", "to_number", "started_at", "ended_at", "status"]
CALL_COLUMNS += ["duration", "language", "language_chosen_at", *SUMMARY_COLUMNS]
CALL_COLUMNS += ["directory_revision", "greeted_at", "first_menu"]
STEP_COLUMNS = ["call", "sequence", "kind", "digits", "planet", "dial_status", "dial_duration"]
STEP_COLUMNS += ["idempotency_token", "created_at", "menu", "option", "outcome", "next_menu"]
# What a step entry spooled before menus were data lacks (and where it led, before that was
# logged: unknown, so it leaves the call's last menu as it is).
NO_MENU = {"menu": "", "option": "", "outcome": "", "next_menu": None}
UTTERANCE_COLUMNS = ["call", "sequence", "language", "heard", "confidence", "target", "planet"]
UTTERANCE_COLUMNS += ["score", "created_at"]
COLUMNS = {
    "call_start": CALL_COLUMNS,
    "call_language": CALL_COLUMNS,
    "call_end": CALL_COLUMNS,
    "step": STEP_COLUMNS,
    "utterance": UTTERANCE_COLUMNS,
    "call_summary": CALL_COLUMNS,
}
# A row's values in its statement's column order.
ROW_VALUES = {statement: itemgetter(*columns) for statement, columns in COLUMNS.items()}


def _merges() -> dict[str, str]:
    """How a write merges into a call's row that is there already, column by column.

    Every merge gives the same row whatever order the writes come in, and again when one is
    written twice: a call starts at the earliest time any entry puts it at, its language is
    the one chosen latest, the directory revision it heard the earliest greeting's, and what it
    did (its summary) only ever grows: a flag turns on, a set of planets takes in a new one.
    """
    call, column = _call_table()
    started = column("started_at")
    earliest = (
        f"{started} = CASE WHEN excluded.{started} < {call}.{started} "
        f"THEN excluded.{started} ELSE {call}.{started} END"
    )
    numbers = [
        f"{column(name)} = COALESCE(NULLIF(excluded.{column(name)}, ''), {call}.{column(name)})"
        for name in ("from_number", "to_number")
    ]
    chosen_at = column("language_chosen_at")
    # Both read the row's old time (SET sees the row as it was), so they change together.
    language = [
        f"{column(name)} = CASE WHEN {call}.{chosen_at} IS NULL "
        f"OR {call}.{chosen_at} < excluded.{chosen_at} "
        f"THEN excluded.{column(name)} ELSE {call}.{column(name)} END"
        for name in ("language", "language_chosen_at")
    ]
    greeted = column("greeted_at")
    # The earliest greeting's revision (a retried greeting may have heard a later one).
    revision = [
        f"{column(name)} = CASE WHEN excluded.{greeted} IS NOT NULL AND ({call}.{greeted} IS NULL "
        f"OR excluded.{greeted} < {call}.{greeted}) "
        f"THEN excluded.{column(name)} ELSE {call}.{column(name)} END"
        for name in ("directory_revision", "first_menu", "greeted_at")
    ]
    ending = [f"{column(name)} = excluded.{column(name)}" for name in ("ended_at", "status")]
    ending.append(f"{column('duration')} = excluded.{column('duration')}")
    flags, sets, last_menu = _summary_merges()
    return {
        "call_start": ", ".join([earliest, *numbers, *language, *revision, *last_menu]),
        "call_language": ", ".join([earliest, *language]),
        "call_end": ", ".join([earliest, *numbers, *ending]),
        "call_summary": ", ".join([earliest, *flags, *sets, *last_menu]),
    }


def _call_table():
    """The call table's quoted name, and a function quoting a field's column."""
    q = connection.ops.quote_name

    def column(name: str) -> str:
        return q(Call._meta.get_field(name).column)

    return q(Call._meta.db_table), column


def _summary_merges() -> tuple[list[str], list[str], list[str]]:
    """What the call did only ever grows: its flags, its sets, the menu it was left at."""
    call, column = _call_table()
    flags = [
        f"{column(name)} = {call}.{column(name)} OR excluded.{column(name)}"
        for name in ("chose_directions", "chose_planets")
    ]
    # A step names one planet (",3,") or one answer at a menu (",main:2,"): added unless the
    # set holds it already (a plain substring test: a menu's short name may hold "_", which
    # LIKE would read as a wildcard).
    contains = "instr({}, {}) > 0" if connection.vendor == "sqlite" else "strpos({}, {}) > 0"
    # A set stops growing at SUMMARY_SET_LENGTH characters: it is in an index, whose entries
    # PostgreSQL limits (2,704 bytes), and only a call of a hundred different answers fills it.
    sets = [
        f"{c} = CASE WHEN excluded.{c} = '' OR {contains.format(f'{call}.{c}', f'excluded.{c}')} "
        f"OR LENGTH({call}.{c}) + LENGTH(excluded.{c}) > {SUMMARY_SET_LENGTH} "
        f"THEN {call}.{c} WHEN {call}.{c} = '' THEN excluded.{c} "
        f"ELSE {call}.{c} || SUBSTR(excluded.{c}, 2) END"
        for c in (column("planets_dialed"), column("planets_answered"), column("menu_answers"))
    ]
    last_step = column("last_menu_step")
    # The menu the latest step left the caller at (or none): the highest step's wins.
    last_menu = [
        f"{column(name)} = CASE WHEN excluded.{last_step} IS NOT NULL AND ({call}.{last_step} "
        f"IS NULL OR excluded.{last_step} > {call}.{last_step}) "
        f"THEN excluded.{column(name)} ELSE {call}.{column(name)} END"
        for name in ("last_menu", "last_menu_step")
    ]
    return flags, sets, last_menu


# Kept for ever: the SQL follows the models and the database's kind, fixed for a process.
@cache
def insert_statements() -> dict[str, str]:
    statements = {
        statement: insert_statement(
            Call, CALL_COLUMNS, f"ON CONFLICT (call_sid) DO UPDATE SET {merge}"
        )
        for statement, merge in _merges().items()
    }
    return statements | {
        "step": insert_statement(Step, STEP_COLUMNS, "ON CONFLICT DO NOTHING"),
        "utterance": insert_statement(Utterance, UTTERANCE_COLUMNS, "ON CONFLICT DO NOTHING"),
    }
