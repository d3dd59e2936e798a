"""Each call's summary columns, kept by the call log's writes, make the admin's filters exact
without counting steps, and the day's counts kept with them the dashboard: whatever order the
writes come in, however often, whatever the calls' languages, numbers and purges."""

import random
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from calllog.maintenance import calls_purge
from calllog.models import Call, DayCount, Step, planet_ids
from calllog.selectors import OUTCOMES, calls_to_planet, calls_with_outcome, dashboard_get
from calllog.writer import entries_write
from directory.models import Planet
from tests.factories import log_entry, step_entry

pytestmark = pytest.mark.django_db

NUMBERS = {"from_number": "+19295550123", "to_number": "+18005550100"}
KINDS = [Step.Kind.MAIN_MENU, Step.Kind.MENU_KEY, Step.Kind.PLANET_KEY, Step.Kind.DIAL_OUTCOME]

# A call's steps: any kind, any key, any planet of four (one of them deleted), any outcome.
step = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from(["", "1", "2", "3", "*"]),
    st.sampled_from([None, 0, 1, 2, 3]),
    st.sampled_from(["", "completed", "busy"]),
)
call = st.tuples(
    st.integers(min_value=0, max_value=40),  # days ago
    st.booleans(),  # the call's own row is written (else only its steps)
    st.lists(step, max_size=6),
)
LANGUAGES = ["", "en-GB", "ja-JP"]
CALLED = ["+18005550100", "+81335550100"]
# A call as its entries may tell it: its start (in a language, to a number) or not, its
# steps, languages chosen after some of them, and the status callback or not (whose duration
# may put the call's start a day or two earlier than its greeting did).
history = st.tuples(
    st.integers(min_value=0, max_value=40),  # days ago
    st.booleans(),  # the greeting is written
    st.sampled_from(LANGUAGES),
    st.sampled_from(CALLED),
    st.lists(step, max_size=6),
    st.lists(st.tuples(st.integers(0, 6), st.sampled_from(LANGUAGES[1:])), max_size=2),
    st.one_of(st.none(), st.integers(min_value=0, max_value=2 * 86_400)),
)


def entries_of(
    sid: str,
    days_ago: int,
    with_start: bool,
    steps,
    planets,
    *,
    language: str = "",
    to_number: str = NUMBERS["to_number"],
    chosen=(),
    duration: int | None = None,
) -> list[dict]:
    """A call's entries: its greeting (when with_start), its steps ten seconds apart, the
    languages chosen after the steps numbered in chosen, the status callback (with its
    duration) when one is given."""
    started = timezone.now() - timedelta(days=days_ago, minutes=5)
    numbers = {**NUMBERS, "to_number": to_number}
    language_given = {"language": language} if language else {}
    entries = [log_entry("call_start", sid, started, **numbers, **language_given)]
    entries = entries if with_start else []
    for sequence, (kind, digits, planet, dial_status) in enumerate(steps, start=1):
        at = started + timedelta(seconds=10 * sequence)
        dial = kind == Step.Kind.DIAL_OUTCOME
        fields = {"digits": "" if dial else digits, "dial_status": dial_status if dial else ""}
        planet_id = None if planet is None else planets[planet]
        entries.append(step_entry(sid, sequence, at, kind, planet_id=planet_id, **fields))
    for after, chosen_language in chosen:
        at = (started + timedelta(seconds=10 * after + 5)).isoformat()
        entries.append(log_entry("call_language", sid, at, language=chosen_language))
    if duration is not None:
        at = (started + timedelta(seconds=10 * len(steps) + 5)).isoformat()
        entries.append(
            log_entry("call_end", sid, at, **numbers, status="completed", duration=duration)
        )
    return entries


def recount(calls=None, *, days=30):
    """The dashboard's figures, counted the plain way: from every step of every call."""
    today = timezone.localdate()
    since = timezone.make_aware(
        timezone.datetime.combine(today - timedelta(days=days - 1), timezone.datetime.min.time())
    )
    calls = (Call.objects.all() if calls is None else calls).filter(started_at__gte=since)
    sids = set(calls.values_list("call_sid", flat=True))
    steps = [s for s in Step.objects.all() if s.call_id in sids]
    chose = {
        digits: {s.call_id for s in steps if s.kind == "menu_key" and s.digits == digits}
        for digits in "12"
    }
    dialed = Counter(
        planet
        for _, planet in {(s.call_id, s.planet_id) for s in steps if s.kind == "planet_key"}
        if planet is not None
    )
    answered = Counter(
        planet
        for _, planet in {
            (s.call_id, s.planet_id)
            for s in steps
            if s.kind == "dial_outcome" and s.dial_status == "completed"
        }
        if planet is not None
    )
    names = dict(Planet.objects.values_list("pk", "name"))
    return {
        "calls": len(sids),
        "choices": {
            "directions": len(chose["1"]),
            "planets": len(chose["2"]),
            "no_choice": len(sids - chose["1"] - chose["2"]),
        },
        "planets": sorted(
            (names.get(pk, f"(deleted planet {pk})"), n, answered[pk]) for pk, n in dialed.items()
        ),
    }


def figures(dashboard):
    return {
        "calls": sum(n for _, n in dashboard.days),
        "choices": dashboard.choices,
        "planets": sorted((p.name, p.dialed, p.answered) for p in dashboard.planets),
    }


@pytest.fixture
def planets(demo):
    """Four planet ids: the demo's three and one deleted (steps keep its id)."""
    ids = list(Planet.objects.order_by("pk").values_list("pk", flat=True))
    return [*ids, max(ids) + 100]


settings = hypothesis_settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def log_empty() -> None:
    """No calls, steps or day's counts: hypothesis runs its examples in one test's database."""
    Step.objects.all().delete()
    Call.objects.all().delete()
    DayCount.objects.all().delete()


@settings
@given(
    calls=st.lists(history, max_size=8),
    seed=st.integers(),
    repeats=st.integers(0, 3),
    purge=st.one_of(st.none(), st.tuples(st.integers(0, 42), st.integers(1, 3))),
)
def test_the_dashboard_equals_a_recount_of_the_calls_in_any_write_order(
    planets, calls, seed, repeats, purge
):
    """The day's counts the writes keep sum up to what reading every call counts (and every
    step), for every language and number called: whatever order and however often the
    entries are written, the languages the callers choose, a status callback that moves the
    call's start to another day, and a purge in between the writes."""
    log_empty()
    entries = [
        entry
        for n, (days_ago, with_start, language, number, steps, chosen, duration) in enumerate(calls)
        for entry in entries_of(
            f"CA{n}",
            days_ago,
            with_start,
            steps,
            planets,
            language=language,
            to_number=number,
            chosen=chosen,
            duration=duration,
        )
    ]
    # Late, twice, and in another order: as spools of several workers deliver them.
    rng = random.Random(seed)
    entries += rng.sample(entries, min(repeats, len(entries)))
    rng.shuffle(entries)
    purge_at = rng.randint(0, len(entries))
    written = 0
    while entries or purge:
        if purge and written >= purge_at:
            older_than, batch_size = purge
            before = timezone.now() - timedelta(days=older_than)
            calls_purge(before=before, batch_size=batch_size)
            purge = None
            continue
        size = rng.randint(1, 5)
        entries_write(entries[:size])
        entries, written = entries[size:], written + size
    assert figures(dashboard_get()) == recount()
    assert dashboard_get() == dashboard_get(calls=Call.objects.all())
    for language in LANGUAGES[1:]:
        calls_in = Call.objects.filter(language=language)
        assert dashboard_get(language=language) == dashboard_get(calls=calls_in)
        for number in CALLED:
            assert dashboard_get(language=language, to_number=number) == dashboard_get(
                calls=calls_in.filter(to_number=number)
            )
    for number in CALLED:
        calls_to = Call.objects.filter(to_number=number)
        assert dashboard_get(to_number=number) == dashboard_get(calls=calls_to)


def test_a_call_that_dialed_several_planets_counts_once_for_each(planets):
    dagobah, brodo = Planet.objects.get(name="Dagobah"), Planet.objects.get(key="2")
    steps = [
        (Step.Kind.MENU_KEY, "2", None, ""),
        (Step.Kind.PLANET_KEY, "3", 1, ""),
        (Step.Kind.DIAL_OUTCOME, "", 1, "busy"),
        (Step.Kind.PLANET_KEY, "2", 0, ""),
        (Step.Kind.DIAL_OUTCOME, "", 0, "completed"),
        (Step.Kind.PLANET_KEY, "3", 1, ""),
    ]
    ids = [brodo.pk, dagobah.pk]
    entries_write(entries_of("CA-several", 1, True, steps, ids))
    call = Call.objects.get()
    assert (planet_ids(call.planets_dialed), call.planets_answered) == (set(ids), f",{brodo.pk},")
    got = sorted((p.name, p.dialed, p.answered) for p in dashboard_get().planets)
    assert got == sorted([(dagobah.name, 1, 0), (brodo.name, 1, 1)])
    assert list(calls_to_planet(Call.objects.all(), dagobah.pk)) == [Call.objects.get()]


def test_a_call_counts_on_the_day_it_started_in_the_servers_time_zone(planets, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    today = timezone.localdate()
    # Half past midnight in Tokyo: half past three in the afternoon before, in UTC.
    started = timezone.make_aware(datetime.combine(today, time(0, 30)))
    entries_write([log_entry("call_start", "CA1", started)])
    dashboard = dashboard_get()
    assert dashboard.days[-2:] == [(today - timedelta(days=1), 0), (today, 1)]
    assert dashboard == dashboard_get(calls=Call.objects.all())


def test_a_step_written_before_its_call_makes_the_row_the_call_completes(planets):
    entries = entries_of("CA-late-start", 1, True, [(Step.Kind.MENU_KEY, "1", None, "")], planets)
    entries_write([entries[1]])
    entries_write([entries[0]])
    call = Call.objects.get()
    assert (call.from_number, call.chose_directions) == (NUMBERS["from_number"], True)
    assert call.started_at.isoformat() == entries[0]["at"]


def test_the_dashboard_follows_a_filter_on_the_calls(planets):
    for n in range(6):
        steps = [(Step.Kind.MENU_KEY, "2", None, ""), (Step.Kind.PLANET_KEY, "3", n % 3, "")]
        entries = entries_of(f"CA{n}", n, True, steps, planets)
        entries[0]["from_number"] = f"+1929555000{n % 2}"
        entries_write(entries)
    mine = Call.objects.filter(from_number="+19295550001")
    assert figures(dashboard_get(calls=mine)) == recount(mine)
    assert figures(dashboard_get(calls=mine))["calls"] == 3


def test_the_dashboard_reads_the_day_counts_not_the_calls(planets):
    steps = [(Step.Kind.MENU_KEY, "2", None, ""), (Step.Kind.PLANET_KEY, "3", 1, "")]
    entries_write(entries_of("CA1", 1, True, steps, planets))
    with CaptureQueriesContext(connection) as queries:
        dashboard = dashboard_get(days=30, to_number=NUMBERS["to_number"])
    sql = [query["sql"] for query in queries.captured_queries]
    # Calls per day, the counts per figure, the planets' names.
    assert len(sql) == 3
    assert not any("calllog_call" in query or "calllog_step" in query for query in sql)
    assert (sum(n for _, n in dashboard.days), dashboard.choices["planets"]) == (1, 1)


def test_the_dashboard_of_calls_filtered_otherwise_reads_calls_not_steps(planets):
    steps = [(Step.Kind.MENU_KEY, "2", None, ""), (Step.Kind.PLANET_KEY, "3", 1, "")]
    entries_write(entries_of("CA1", 1, True, steps, planets))
    with CaptureQueriesContext(connection) as queries:
        dashboard_get(days=30, calls=Call.objects.filter(from_number=NUMBERS["from_number"]))
    sql = [query["sql"] for query in queries.captured_queries]
    # A range count per day, the calls grouped by their summary, the planets' names.
    assert len(sql) == 30 + 2
    assert not any("DISTINCT" in query.upper() for query in sql)
    assert not any("calllog_step" in query or "calllog_daycount" in query for query in sql)


@settings
@given(calls=st.lists(call, max_size=8))
def test_the_admin_filters_equal_a_recount_of_the_steps(planets, calls):
    log_empty()
    for n, (days_ago, with_start, steps) in enumerate(calls):
        entries_write(entries_of(f"CA{n}", days_ago, with_start, steps, planets))
    every = {call.call_sid: list(call.steps.all()) for call in Call.objects.all()}

    def has(sid, **conditions):
        return any(all(getattr(s, k) == v for k, v in conditions.items()) for s in every[sid])

    def dialed(sid):
        return any(s.kind == "planet_key" and s.planet_id is not None for s in every[sid])

    def connected(sid):
        return any(
            s.kind == "dial_outcome" and s.dial_status == "completed" and s.planet_id is not None
            for s in every[sid]
        )

    expected = {
        "directions": {sid for sid in every if has(sid, kind="menu_key", digits="1")},
        "connected": {sid for sid in every if connected(sid)},
        "not_connected": {sid for sid in every if dialed(sid) and not connected(sid)},
        "no_choice": {
            sid
            for sid in every
            if not has(sid, kind="menu_key", digits="1")
            and not has(sid, kind="menu_key", digits="2")
        },
    }
    for outcome in OUTCOMES:
        got = set(
            calls_with_outcome(Call.objects.all(), outcome).values_list("call_sid", flat=True)
        )
        assert got == expected[outcome], outcome
    for planet in planets:
        got = set(calls_to_planet(Call.objects.all(), planet).values_list("call_sid", flat=True))
        assert got == {sid for sid in every if has(sid, kind="planet_key", planet_id=planet)}


def test_the_migration_sums_up_the_steps_already_logged(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate([("calllog", "0003_call_language")])
    old = executor.loader.project_state([("calllog", "0003_call_language")]).apps
    OldCall, OldStep = old.get_model("calllog", "Call"), old.get_model("calllog", "Step")
    now = timezone.now()
    for sid, steps in {
        "CA-directions": [("menu_key", "1", None, "")],
        "CA-connected": [
            ("menu_key", "2", None, ""),
            ("planet_key", "3", 7, ""),
            ("dial_outcome", "", 7, "completed"),
        ],
        "CA-two-planets": [("planet_key", "3", 7, ""), ("planet_key", "2", 8, "")],
        "CA-silent": [("menu_key", "", None, "")],
    }.items():
        OldCall.objects.create(call_sid=sid, started_at=now)
        for sequence, (kind, digits, planet, status) in enumerate(steps, start=1):
            OldStep.objects.create(
                call_id=sid,
                sequence=sequence,
                kind=kind,
                digits=digits,
                planet_id=planet,
                dial_status=status,
            )
    executor = MigrationExecutor(connection)
    executor.migrate([("calllog", "0004_call_summary")])
    summary = {
        sid: rest
        for sid, *rest in Call.objects.values_list(
            "call_sid", "chose_directions", "chose_planets", "planets_dialed", "planets_answered"
        )
    }
    # The tests after this one need the tables as the latest migrations make them.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert summary == {
        "CA-connected": [False, True, ",7,", ",7,"],
        "CA-directions": [True, False, "", ""],
        "CA-silent": [False, False, "", ""],
        "CA-two-planets": [False, False, ",7,8,", ""],
    }


def test_the_migration_counts_the_calls_already_logged(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate([("calllog", "0009_menu_figures")])
    old = executor.loader.project_state([("calllog", "0009_menu_figures")]).apps
    OldCall = old.get_model("calllog", "Call")
    now = timezone.now()
    for n, (days_ago, language, directions, dialed, answers, left) in enumerate(
        [
            (0, "en-GB", True, "", ",main:1,", ""),
            (1, "ja-JP", False, ",7,8,", ",main:2,help_desk:n,", "help_desk"),
            (1, "ja-JP", False, ",7,", ",main:2,", "main"),
            (40, "", False, "", "", "main"),
        ]
    ):
        OldCall.objects.create(
            call_sid=f"CA{n}",
            started_at=now - timedelta(days=days_ago),
            language=language,
            to_number=NUMBERS["to_number"],
            chose_directions=directions,
            chose_planets=bool(dialed),
            planets_dialed=dialed,
            menu_answers=answers,
            last_menu=left,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert dashboard_get() == dashboard_get(calls=Call.objects.all())
    assert dashboard_get(days=60) == dashboard_get(calls=Call.objects.all(), days=60)
    japanese = dashboard_get(language="ja-JP")
    assert (japanese.choices, japanese.menus["help_desk"].left) == (
        {"directions": 0, "planets": 2, "no_choice": 0},
        1,
    )
