"""The call log's writer: the rows each entry writes, written in one transaction and safe to
write again when Twilio retries.

They are plain INSERTs (ON CONFLICT works the same on SQLite and PostgreSQL) rather than
bulk_create(), whose query building costs more than the write itself. The unique constraints
on the models decide what counts as a repeat, and a repeat of a call's row is merged into it
(calllog/statements.py). An entry's type names the statement that writes its row, and its
time is its request's.
"""

from contextlib import nullcontext
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter

from django.db import connection, transaction

from .counts import calls_lock, counted, counts_move, figure_columns
from .entries import ENTRY_STAMPS, type_of
from .models import (
    Call,
    Step,
    menu_token,
    menu_tokens,
    planet_ids,
    planet_set,
)
from .statements import (
    NO_LANGUAGE,
    NO_MENU,
    NO_REVISION,
    NO_SUMMARY,
    ROW_VALUES,
    insert_statement,
    insert_statements,
)


def step_summary(
    *,
    kind: str,
    digits: str,
    planet_id: int | None,
    dial_status: str,
    sequence: int = 0,
    menu: str = "",
    outcome: str = "",
    option: str = "",
    next_menu: str | None = None,
) -> dict:
    """What one step says about its call, in the call's summary columns. A step that does not
    know where it left the caller (next_menu None: spooled before that was logged) leaves the
    call's last menu as it is."""
    planet = [] if planet_id is None else [planet_id]
    answered = kind == Step.Kind.DIAL_OUTCOME and dial_status == "completed"
    return {
        "chose_directions": kind == Step.Kind.MENU_KEY and digits == "1",
        "chose_planets": kind == Step.Kind.MENU_KEY and digits == "2",
        "planets_dialed": planet_set(planet if kind == Step.Kind.PLANET_KEY else []),
        "planets_answered": planet_set(planet if answered else []),
        "menu_answers": menu_token(menu, outcome, option),
        "last_menu": next_menu or "",
        "last_menu_step": None if next_menu is None else sequence,
    }


def steps_summary(steps: list[Step], *, first_menu: str = "") -> dict:
    """A call's summary columns from all its steps (and the menu it started at): what the
    writes merge, step by step."""
    summary = dict(NO_SUMMARY)
    dialed, answered, answers = set(), set(), set()
    if first_menu:
        summary |= {"last_menu": first_menu, "last_menu_step": 0}
    for step in sorted(steps, key=lambda step: step.sequence):
        said = step_summary(
            kind=step.kind,
            digits=step.digits,
            planet_id=step.planet_id,
            dial_status=step.dial_status,
            sequence=step.sequence,
            menu=step.menu,
            outcome=step.outcome,
            option=step.option,
            next_menu=step.next_menu,
        )
        summary["chose_directions"] |= said["chose_directions"]
        summary["chose_planets"] |= said["chose_planets"]
        dialed |= planet_ids(said["planets_dialed"])
        answered |= planet_ids(said["planets_answered"])
        answers |= menu_tokens(said["menu_answers"])
        if summary["last_menu_step"] is None or step.sequence > summary["last_menu_step"]:
            summary |= {"last_menu": said["last_menu"], "last_menu_step": step.sequence}
    return summary | {
        "planets_dialed": planet_set(sorted(dialed)),
        "planets_answered": planet_set(sorted(answered)),
        "menu_answers": f",{','.join(f'{m}:{a}' for m, a in sorted(answers))}," if answers else "",
    }


def _rows(entry: dict) -> list[tuple[str, dict]]:
    """The rows an entry writes, each with the name of its statement. Its time is its
    request's, so writing it late, or again, writes the same rows."""
    entry_type = type_of(entry)
    fields = {name: value for name, value in entry.items() if name not in ENTRY_STAMPS}
    at = datetime.fromisoformat(entry["at"])
    if entry_type in ("call_start", "call_language"):
        # A language chosen before the call's own row is written makes the row, at that time.
        # Entries spooled before calls had a language have none.
        row = {"from_number": "", "to_number": "", "language": "", **NO_REVISION, **fields}
        row |= {"started_at": at, "ended_at": None, "status": "", "duration": None}
        row |= {"language_chosen_at": at}
        summary = dict(NO_SUMMARY)
        if entry_type == "call_start":
            row["greeted_at"] = at
        if row["first_menu"]:
            # The menu it starts at is where the caller is until their first answer.
            summary |= {"last_menu": row["first_menu"], "last_menu_step": 0}
        return [(entry_type, {**row, **summary})]
    if entry_type == "call_end":
        started = at - timedelta(seconds=entry["duration"] or 0)
        # The status callback knows no language: a row it makes waits for the greeting's.
        row = {**fields, "started_at": started, "ended_at": at, **NO_LANGUAGE, **NO_REVISION}
        return [(entry_type, {**row, **NO_SUMMARY})]
    call, planet = fields.pop("call_sid"), fields.pop("planet_id")
    if entry_type == "utterance":
        return [(entry_type, {**fields, "call": call, "planet": planet, "created_at": at})]
    step = {**NO_MENU, **fields}
    summary = step_summary(
        kind=step["kind"],
        digits=step["digits"],
        planet_id=planet,
        dial_status=step["dial_status"],
        sequence=step["sequence"],
        menu=step["menu"],
        outcome=step["outcome"],
        option=step["option"],
        next_menu=step["next_menu"],
    )
    step["next_menu"] = step["next_menu"] or ""
    rows = [("step", {**step, "call": call, "planet": planet, "created_at": at})]
    # A step that says something about its call merges it into the call's row, creating the row
    # (numbers unknown yet, started at the step) when the call's own row is not written yet.
    if any(summary.values()):
        call_row = {"call_sid": call, "from_number": "", "to_number": "", "started_at": at}
        call_row |= {"ended_at": None, "status": "", "duration": None, **NO_LANGUAGE, **summary}
        call_row |= NO_REVISION
        rows.append(("call_summary", call_row))
    return rows


def entries_write(entries: list[dict]) -> None:
    """Write call-log entries to the database in one transaction; writing one twice is harmless."""
    statements = insert_statements()
    # An entry's times are mostly its request's, the same few in every row: adapted once each.
    adapted: dict[datetime, object] = {}

    def adapt(value: datetime):
        if value not in adapted:
            adapted[value] = connection.ops.adapt_datetimefield_value(value)
        return adapted[value]

    rows = [(statement, row) for entry in entries for statement, row in _rows(entry)]
    # Rows of different kinds merge into a call the same in any order (_merges()); a stable
    # sort keeps the entries' order among one call's rows of a kind. SQLite has one writer at
    # a time: rows of a kind go together, in one executemany(). With row locks (PostgreSQL,
    # app servers sharing it) every writer holds its calls first (calls_lock()), then takes
    # its locks in one order, the calls' rows by CallSid, then the steps' and the utterances',
    # then the day's counts: two writers never wait for each other in a circle (a deadlock,
    # which PostgreSQL breaks only after a second).
    rows.sort(key=itemgetter(0) if connection.vendor == "sqlite" else _lock_order)
    calls = sorted({row["call_sid"] for _, row in rows if "call_sid" in row})
    # One statement is atomic by itself; a group is one transaction, one commit, and so is a
    # call's row with the day's counts it moves.
    atomic = transaction.atomic() if len(rows) > 1 or calls else nullcontext()
    with atomic, connection.cursor() as cursor:
        calls_lock(calls)
        before = counted(calls)
        for statement, run in groupby(rows, key=itemgetter(0)):
            params = [
                [adapt(value) if isinstance(value, datetime) else value for value in values]
                for values in (ROW_VALUES[statement](row) for _, row in run)
            ]
            if connection.vendor == "sqlite":
                cursor.executemany(statements[statement], params)
            else:
                # psycopg's executemany() (pipeline mode) stalled the webhooks of its worker:
                # a p99 of 0.3 to 1 s in make bench's PostgreSQL phase, 25 to 70 ms without it.
                for one in params:
                    cursor.execute(statements[statement], one)
        if calls:
            counts_move(before, counted(calls))


def _lock_order(statement_row: tuple[str, dict]):
    statement, row = statement_row
    if statement in ("step", "utterance"):
        return (1 if statement == "step" else 2, row["call"], row["sequence"])
    return (0, row["call_sid"], "")


def calls_insert(*, calls: list[Call], steps: list[Step]) -> None:
    """Insert calls new to the log, with their steps, in bulk (generate_calls), and the day's
    counts they add: one transaction. One plain INSERT per table through executemany(), each
    value made ready by its field as bulk_create() does; bulk_create()'s compiling of its
    multi-row INSERTs, value by value, was two thirds of generate_calls' time."""
    with transaction.atomic(), connection.cursor() as cursor:
        for model, rows in ((Call, calls), (Step, steps)):
            fields = [field for field in model._meta.concrete_fields if not field.primary_key]
            sql = insert_statement(model, [field.name for field in fields])
            cursor.executemany(
                sql,
                [
                    [
                        field.get_db_prep_save(getattr(row, field.attname), connection)
                        for field in fields
                    ]
                    for row in rows
                ],
            )
        counts_move({}, {call.call_sid: figure_columns(call) for call in calls})
