"""Each call's summary columns, kept by the call log's writes, make the dashboard and the admin's
filters exact without counting steps: whatever order the writes come in, however often."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from calllog.models import Call, Step, planet_ids
from calllog.selectors import OUTCOMES, calls_to_planet, calls_with_outcome, dashboard_get
from calllog.services import entries_write
from directory.models import Planet
from tests.factories import step_entry

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


def entries_of(sid: str, days_ago: int, with_start: bool, steps, planets) -> list[dict]:
    started = timezone.now() - timedelta(days=days_ago, minutes=5)
    entries = [{"record": "call_start", "at": started.isoformat(), "call_sid": sid, **NUMBERS}]
    entries = entries if with_start else []
    for sequence, (kind, digits, planet, dial_status) in enumerate(steps, start=1):
        at = started + timedelta(seconds=10 * sequence)
        dial = kind == Step.Kind.DIAL_OUTCOME
        fields = {"digits": "" if dial else digits, "dial_status": dial_status if dial else ""}
        planet_id = None if planet is None else planets[planet]
        entries.append(step_entry(sid, sequence, at, kind, planet_id=planet_id, **fields))
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


@settings
@given(calls=st.lists(call, max_size=8), seed=st.integers(), repeats=st.integers(0, 3))
def test_the_dashboard_equals_a_recount_of_the_steps_in_any_write_order(
    planets, calls, seed, repeats
):
    Step.objects.all().delete()
    Call.objects.all().delete()
    entries = [
        entry
        for n, (days_ago, with_start, steps) in enumerate(calls)
        for entry in entries_of(f"CA{n}", days_ago, with_start, steps, planets)
    ]
    # Late, twice, and in another order: as spools of several workers deliver them.
    rng = random.Random(seed)
    entries += rng.sample(entries, min(repeats, len(entries)))
    rng.shuffle(entries)
    while entries:
        size = rng.randint(1, 5)
        entries_write(entries[:size])
        entries = entries[size:]
    assert figures(dashboard_get()) == recount()


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


def test_the_dashboard_reads_calls_not_steps_and_counts_nothing_distinct(planets):
    steps = [(Step.Kind.MENU_KEY, "2", None, ""), (Step.Kind.PLANET_KEY, "3", 1, "")]
    entries_write(entries_of("CA1", 1, True, steps, planets))
    with CaptureQueriesContext(connection) as queries:
        dashboard_get(days=30)
    sql = [query["sql"] for query in queries.captured_queries]
    # A range count per day, the calls grouped by their summary, the planets' names.
    assert len(sql) == 30 + 2
    assert not any("DISTINCT" in query.upper() for query in sql)
    assert not any("calllog_step" in query for query in sql)


@settings
@given(calls=st.lists(call, max_size=8))
def test_the_admin_filters_equal_a_recount_of_the_steps(planets, calls):
    Step.objects.all().delete()
    Call.objects.all().delete()
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
    # The later migrations again, so that the tests after this one find every table.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert summary == {
        "CA-connected": [False, True, ",7,", ",7,"],
        "CA-directions": [True, False, "", ""],
        "CA-silent": [False, False, "", ""],
        "CA-two-planets": [False, False, ",7,8,", ""],
    }
