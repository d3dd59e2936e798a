"""Writes to the call log: each webhook's entry, safe to write again when Twilio retries.

A webhook hands its entry to the process's spool (calllog/spool.py) and answers; the spool's
thread writes entries in groups. They are plain INSERTs (ON CONFLICT works the same on SQLite
and PostgreSQL) rather than bulk_create(), whose query building costs more than the write
itself. The unique constraints on the models decide what counts as a repeat, and a repeat of a
call's row is merged into it (see _merges()).
"""

from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from functools import cache
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.db import connection, transaction

from .counts import calls_lock, counted, counts_move, day_counts_prune, figure_columns
from .models import (
    FIGURE_SUMMARY,
    Call,
    Step,
    Utterance,
    menu_token,
    menu_tokens,
    planet_ids,
    planet_set,
)
from .spool import Spool, keep


def _insert_sql(model, fields: list[str], on_conflict: str) -> str:
    q = connection.ops.quote_name
    columns = ", ".join(q(model._meta.get_field(name).column) for name in fields)
    values = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {q(model._meta.db_table)} ({columns}) VALUES ({values}) {on_conflict}"


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
_values = {record: itemgetter(*columns) for record, columns in COLUMNS.items()}


def _merges() -> dict[str, str]:
    """How a write merges into a call's row that is there already, column by column.

    Every merge gives the same row whatever order the writes come in, and again when one is
    written twice: a call starts at the earliest time any record puts it at, its language is
    the one chosen latest, the directory revision it heard the earliest greeting's, and what it
    did (its summary) only ever grows: a flag turns on, a set of planets takes in a new one.
    """
    q = connection.ops.quote_name
    call = q(Call._meta.db_table)

    def column(name: str) -> str:
        return q(Call._meta.get_field(name).column)

    started = column("started_at")
    earliest = (
        f"{started} = CASE WHEN excluded.{started} < {call}.{started} "
        f"THEN excluded.{started} ELSE {call}.{started} END"
    )
    numbers = [
        f"{column(name)} = COALESCE(NULLIF(excluded.{column(name)}, ''), {call}.{column(name)})"
        for name in ("from_number", "to_number")
    ]
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
    return {
        "call_start": ", ".join([earliest, *numbers, *language, *revision, *last_menu]),
        "call_language": ", ".join([earliest, *language]),
        "call_end": ", ".join([earliest, *numbers, *ending]),
        "call_summary": ", ".join([earliest, *flags, *sets, *last_menu]),
    }


# Kept for ever: the SQL follows the models and the database's kind, fixed for a process.
@cache
def _statements() -> dict[str, str]:
    statements = {
        record: _insert_sql(Call, CALL_COLUMNS, f"ON CONFLICT (call_sid) DO UPDATE SET {merge}")
        for record, merge in _merges().items()
    }
    return statements | {
        "step": _insert_sql(Step, STEP_COLUMNS, "ON CONFLICT DO NOTHING"),
        "utterance": _insert_sql(Utterance, UTTERANCE_COLUMNS, "ON CONFLICT DO NOTHING"),
    }


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
    """The rows an entry writes, each with its statement. Its time is its request's, so writing
    it late, or again, writes the same rows."""
    fields = {name: value for name, value in entry.items() if name not in ("record", "at")}
    at = datetime.fromisoformat(entry["at"])
    record = entry["record"]
    if record in ("call_start", "call_language"):
        # A language chosen before the call's own row is written makes the row, at that time.
        # Entries spooled before calls had a language have none.
        row = {"from_number": "", "to_number": "", "language": "", **NO_REVISION, **fields}
        row |= {"started_at": at, "ended_at": None, "status": "", "duration": None}
        row |= {"language_chosen_at": at}
        summary = dict(NO_SUMMARY)
        if record == "call_start":
            row["greeted_at"] = at
        if row["first_menu"]:
            # The menu it starts at is where the caller is until their first answer.
            summary |= {"last_menu": row["first_menu"], "last_menu_step": 0}
        return [(record, {**row, **summary})]
    if record == "call_end":
        started = at - timedelta(seconds=entry["duration"] or 0)
        # The status callback knows no language: a row it makes waits for the greeting's.
        row = {**fields, "started_at": started, "ended_at": at, **NO_LANGUAGE, **NO_REVISION}
        return [(record, {**row, **NO_SUMMARY})]
    call, planet = fields.pop("call_sid"), fields.pop("planet_id")
    if record == "utterance":
        return [(record, {**fields, "call": call, "planet": planet, "created_at": at})]
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
    # (numbers unknown yet, started at the step) when the call's own record is not written yet.
    if any(summary.values()):
        call_row = {"call_sid": call, "from_number": "", "to_number": "", "started_at": at}
        call_row |= {"ended_at": None, "status": "", "duration": None, **NO_LANGUAGE, **summary}
        call_row |= NO_REVISION
        rows.append(("call_summary", call_row))
    return rows


def entries_write(entries: list[dict]) -> None:
    """Write call-log entries to the database in one transaction; writing one twice is harmless."""
    statements = _statements()
    # An entry's times are mostly its request's, the same few in every row: adapted once each.
    adapted: dict[datetime, object] = {}

    def adapt(value: datetime):
        if value not in adapted:
            adapted[value] = connection.ops.adapt_datetimefield_value(value)
        return adapted[value]

    rows = [(record, row) for entry in entries for record, row in _rows(entry)]
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
        for record, run in groupby(rows, key=itemgetter(0)):
            params = [
                [adapt(value) if isinstance(value, datetime) else value for value in values]
                for values in (_values[record](row) for _, row in run)
            ]
            if connection.vendor == "sqlite":
                cursor.executemany(statements[record], params)
            else:
                # psycopg's executemany() (pipeline mode) stalled the webhooks of its worker:
                # a p99 of 0.3 to 1 s in make bench's PostgreSQL phase, 25 to 70 ms without it.
                for one in params:
                    cursor.execute(statements[record], one)
        if calls:
            counts_move(before, counted(calls))


def _lock_order(record_row: tuple[str, dict]):
    record, row = record_row
    if record in ("step", "utterance"):
        return (1 if record == "step" else 2, row["call"], row["sequence"])
    return (0, row["call_sid"], "")


def calls_insert(*, calls: list[Call], steps: list[Step], batch_size: int) -> None:
    """Insert calls new to the log, with their steps, in bulk (generate_calls), and the day's
    counts they add: one transaction."""
    with transaction.atomic():
        Call.objects.bulk_create(calls, batch_size=batch_size)
        Step.objects.bulk_create(steps, batch_size=batch_size)
        counts_move({}, {call.call_sid: figure_columns(call) for call in calls})


# Kept for ever: one spool per process (it notices a fork itself), set by the settings.
@cache
def _spool() -> Spool | None:
    return (
        Spool(settings.CALL_LOG_SPOOL_DIR, entries_write) if settings.CALL_LOG_SPOOL_DIR else None
    )


def spool_start() -> None:
    """Start this process's spool writer: it also writes what stopped processes left behind."""
    if spool := _spool():
        spool.start()


def spool_backlog() -> int:
    """Entries of this process not yet in the database."""
    spool = _spool()
    return spool.backlog() if spool else 0


# The table each record's values go to, for their lengths (the rest go to the call's row).
_MODELS = {"step": Step, "utterance": Utterance}


def _record(record: str, **fields) -> None:
    keep(_spool(), entries_write, record, _MODELS.get(record, Call), **fields)


def call_start(
    *,
    call_sid: str,
    from_number: str,
    to_number: str,
    language: str = "",
    directory_revision: int | None = None,
    first_menu: str = "",
) -> None:
    """The greeting: the call's row, unless a retry or the status callback made it already;
    its starting language, unless a language chosen later is written already; the directory
    revision it heard and the menu it started at, unless an earlier greeting's are written
    already."""
    _record(
        "call_start",
        call_sid=call_sid,
        from_number=from_number,
        to_number=to_number,
        language=language,
        directory_revision=directory_revision,
        first_menu=first_menu,
    )


def call_language(*, call_sid: str, language: str) -> None:
    """The caller chose a language: it becomes the call's, unless one chosen later is."""
    _record("call_language", call_sid=call_sid, language=language)


def step_record(
    *,
    call_sid: str,
    sequence: int,
    kind: str,
    digits: str = "",
    planet_id: int | None = None,
    dial_status: str = "",
    dial_duration: int | None = None,
    idempotency_token: str = "",
    menu: str = "",
    option: str = "",
    outcome: str = "",
    next_menu: str = "",
) -> None:
    """One step (at a menu, what the caller's answer there was, the option chosen, and the
    menu it read out next); a repeat of the same step (or idempotency token) is ignored by the
    database."""
    _record(
        "step",
        call_sid=call_sid,
        sequence=sequence,
        kind=kind,
        digits=digits,
        planet_id=planet_id,
        dial_status=dial_status,
        dial_duration=dial_duration,
        idempotency_token=idempotency_token,
        menu=menu,
        option=option,
        outcome=outcome,
        next_menu=next_menu,
    )


def utterance_record(
    *,
    call_sid: str,
    sequence: int,
    language: str,
    heard: str,
    confidence: float,
    target: str,
    score: float,
    planet_id: int | None,
) -> None:
    """What a caller said at a step and what it matched; a repeat of the step is ignored."""
    _record(
        "utterance",
        call_sid=call_sid,
        sequence=sequence,
        language=language,
        heard=heard,
        confidence=confidence,
        target=target,
        score=score,
        planet_id=planet_id,
    )


def call_end(
    *, call_sid: str, from_number: str, to_number: str, status: str, duration: int | None
) -> None:
    """The status callback: merged into the call's row, created if the callback came first."""
    _record(
        "call_end",
        call_sid=call_sid,
        from_number=from_number,
        to_number=to_number,
        status=status,
        duration=duration,
    )


# Maintenance waits its turn for SQLite's write lock this long: the call log's writers take it
# many times a second under load, and SQLite's wait is no queue, so DATABASE_TIMEOUT (meant
# for a caller's request) can pass before a purge's turn comes. No caller waits on a purge.
MAINTENANCE_LOCK_WAIT_SECONDS = 120


@contextmanager
def maintenance_patience():
    """While inside, this connection waits for the write lock as maintenance may (SQLite)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {MAINTENANCE_LOCK_WAIT_SECONDS * 1000}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(before)}")


# What rooms above the call log keep about calls, purged with them: each registers (in its
# AppConfig.ready()) a function of the cut-off time that deletes its own and says what it did;
# one that had to keep some raises PurgeKept.
_purges: list[Callable[[datetime], str]] = []


class PurgeKept(Exception):
    """A purge deleted what it could and kept some: what it did, and what it kept and why."""

    def __init__(self, said: str, kept: str):
        super().__init__(kept)
        self.said, self.kept = said, kept


def purge_register(purge: Callable[[datetime], str]) -> None:
    """Have purge_calls run this purge too (see _purges)."""
    if purge not in _purges:
        _purges.append(purge)


def others_purge(*, before: datetime) -> tuple[list[str], list[str]]:
    """Run every registered purge: what each said it did, and what any kept and why."""
    said, kept = [], []
    for purge in _purges:
        try:
            said.append(purge(before))
        except PurgeKept as partly:
            said.append(partly.said)
            kept.append(partly.kept)
    return said, kept


def calls_purge(*, before: datetime, batch_size: int) -> tuple[int, int, int]:
    """Delete the calls started before a time, their steps and utterances, a batch at a time.

    Each batch is its own short transaction, so the call log's writers (and staff) never wait
    long for the database's write lock, however large the log. Returns the calls and steps
    deleted and the number of batches.
    """
    calls = steps = batches = 0
    old_calls = Call.objects.filter(started_at__lt=before).order_by("started_at")
    while sids := list(old_calls.values_list("call_sid", flat=True)[:batch_size]):
        with transaction.atomic():
            # What the calls counted for leaves the day's counts with them.
            calls_lock(sids)
            gone = counted(sids)
            steps += Step.objects.filter(call__in=sids).delete()[0]
            Utterance.objects.filter(call__in=sids).delete()
            calls += Call.objects.filter(call_sid__in=sids).delete()[0]
            counts_move(gone, {})
        batches += 1
    day_counts_prune(before=before)
    # Steps and utterances whose call row never got written are purged by their own age.
    orphan_steps, step_batches = _orphans_purge(Step, before=before, batch_size=batch_size)
    _orphan_utterances, utterance_batches = _orphans_purge(
        Utterance, before=before, batch_size=batch_size
    )
    return calls, steps + orphan_steps, batches + step_batches + utterance_batches


def _orphans_purge(model, *, before: datetime, batch_size: int) -> tuple[int, int]:
    orphans = model.objects.filter(created_at__lt=before).exclude(
        call__in=Call.objects.values("call_sid")
    )
    deleted = batches = 0
    while ids := list(orphans.values_list("pk", flat=True)[:batch_size]):
        deleted += model.objects.filter(pk__in=ids).delete()[0]
        batches += 1
    return deleted, batches


def statistics_refresh() -> None:
    """Let SQLite's planner learn the log's shape (PostgreSQL's autovacuum does this itself).

    Without statistics SQLite guesses, and on a large log it picks the wrong index for the
    admin's filters (a minute instead of under a second on a million calls).
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
