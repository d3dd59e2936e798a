"""Per menu, where callers went: the dashboard's figures, from the day's counts kept with each
call's summary columns, equal a recount of the steps whatever order the writes come in, and
are read from an index."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from calllog.models import Call, DayCount, Step
from calllog.selectors import dashboard_get, menu_figures
from calllog.writer import entries_write
from tests.factories import log_entry, step_entry

pytestmark = pytest.mark.django_db

# Short names a menu may have: "_" and "-" too (a LIKE pattern would read "_" as any letter).
MENUS = ["main", "help_desk", "helpXdesk", "a-b"]
MISSES = [o for o in Step.Outcome.values if o != Step.Outcome.CHOSE]

answer = st.tuples(
    st.sampled_from([Step.Kind.MENU_KEY] * 3 + [Step.Kind.MAIN_MENU, Step.Kind.PLANET_KEY]),
    st.sampled_from(MENUS),
    st.one_of(st.sampled_from(["0", "1", "2", "*", "#"]), st.sampled_from(MISSES)),
    st.sampled_from(["", *MENUS]),
)
call = st.tuples(
    st.integers(min_value=0, max_value=40),  # days ago
    st.sampled_from(["", *MENUS]),  # the menu it started at ("": its start is not written)
    st.sampled_from(["+18005550100", "+81335550100"]),
    st.lists(answer, max_size=6),
)


def entries_of(sid: str, days_ago: int, first_menu: str, to_number: str, steps) -> list[dict]:
    started = timezone.now() - timedelta(days=days_ago, minutes=5)
    entries = []
    if first_menu:
        entries.append(
            log_entry(
                "call_start",
                sid,
                started,
                from_number="+19295550123",
                to_number=to_number,
                language="en-GB",
                first_menu=first_menu,
            )
        )
    for sequence, (kind, menu, what, next_menu) in enumerate(steps, start=1):
        at = started + timedelta(seconds=10 * sequence)
        fields = {"menu": menu, "next_menu": next_menu}
        if kind == Step.Kind.MENU_KEY:
            chose = what not in MISSES
            fields |= {
                "outcome": Step.Outcome.CHOSE if chose else what,
                "option": what if chose else "",
                "digits": what if chose else "",
            }
        entries.append(step_entry(sid, sequence, at, kind, **fields))
    return entries


def write_in_any_order(entries: list[dict], seed: int, repeats: int) -> None:
    """Late, twice, and in another order: as spools of several workers deliver them."""
    rng = random.Random(seed)
    entries = entries + rng.sample(entries, min(repeats, len(entries)))
    rng.shuffle(entries)
    while entries:
        size = rng.randint(1, 5)
        entries_write(entries[:size])
        entries = entries[size:]


def recount(calls=None, *, days=30) -> dict:
    """The figures counted the plain way, from every step of every call of the last days."""
    today = timezone.localdate()
    since = timezone.make_aware(
        timezone.datetime.combine(today - timedelta(days=days - 1), timezone.datetime.min.time())
    )
    calls = (Call.objects.all() if calls is None else calls).filter(started_at__gte=since)
    figures: dict[str, Counter] = {}
    for call in calls:
        steps = list(Step.objects.filter(call=call).order_by("sequence"))
        places = [(0, call.first_menu)] if call.first_menu else []
        places += [(step.sequence, step.next_menu) for step in steps]
        left = max(places)[1] if places else ""
        did = {(s.menu, s.option or s.outcome) for s in steps if s.outcome}
        reached = {menu for menu, _ in did} | ({left} if left else set())
        for menu in reached:
            figures.setdefault(menu, Counter())["reached"] += 1
        for menu, what in did:
            figures[menu][what] += 1
        if left:
            figures[left]["left"] += 1
    return figures


def as_counts(figures) -> dict:
    counts = {}
    for slug, f in figures.items():
        counts[slug] = Counter({"reached": f.reached, "left": f.left, **f.chose, **f.answered})
        counts[slug] = +counts[slug]
    return counts


settings = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@settings
@given(calls=st.lists(call, max_size=8), seed=st.integers(), repeats=st.integers(0, 3))
def test_the_menu_figures_equal_a_recount_of_the_steps_in_any_write_order(calls, seed, repeats):
    Step.objects.all().delete()
    Call.objects.all().delete()
    DayCount.objects.all().delete()
    entries = [
        entry
        for n, (days_ago, first, number, steps) in enumerate(calls)
        for entry in entries_of(f"CA{n}", days_ago, first, number, steps)
    ]
    write_in_any_order(entries, seed, repeats)
    assert as_counts(menu_figures()) == {k: +v for k, v in recount().items()}
    japan = Call.objects.filter(to_number="+81335550100")
    japan_recounted = {k: +v for k, v in recount(japan).items()}
    assert as_counts(menu_figures(to_number="+81335550100")) == japan_recounted
    assert as_counts(menu_figures(calls=japan)) == japan_recounted


def test_a_caller_who_hung_up_at_a_submenu_is_counted_there_once():
    steps = [
        (Step.Kind.MENU_KEY, "main", "2", "help_desk"),
        (Step.Kind.MENU_KEY, "help_desk", Step.Outcome.NO_INPUT, "help_desk"),
        (Step.Kind.MAIN_MENU, "help_desk", "", "help_desk"),
        (Step.Kind.MENU_KEY, "help_desk", Step.Outcome.NO_INPUT, "help_desk"),
    ]
    entries_write(entries_of("CA-sub", 1, "main", "+18005550100", steps))
    call = Call.objects.get()
    assert call.menu_answers == ",main:2,help_desk:n,"
    assert (call.first_menu, call.last_menu, call.last_menu_step) == ("main", "help_desk", 4)
    figures = menu_figures()
    assert (figures["main"].reached, figures["main"].chose["2"], figures["main"].left) == (1, 1, 0)
    help_desk = figures["help_desk"]
    assert (help_desk.reached, help_desk.answered[Step.Outcome.NO_INPUT], help_desk.left) == (
        1,
        1,
        1,
    )


def test_a_step_spooled_before_the_upgrade_leaves_the_last_menu_as_it_is():
    entries = entries_of("CA-old", 1, "main", "+18005550100", [])
    old_step = step_entry("CA-old", 1, timezone.now(), Step.Kind.MENU_KEY, digits="1")
    entries_write([*entries, old_step])
    call = Call.objects.get()
    assert (call.last_menu, call.last_menu_step, call.menu_answers) == ("main", 0, "")
    assert Step.objects.get().next_menu == ""


def query_plan(sql: str) -> str:
    """SQLite's plan for a query, with the planner's statistics up to date."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " ".join(str(row) for row in cursor.fetchall())


def test_the_dashboard_sums_the_day_counts_of_its_days_from_their_index():
    for n, days_ago in enumerate([1, 3, 45]):
        steps = [(Step.Kind.MENU_KEY, "main", "1", "")]
        entries_write(entries_of(f"CA{n}", days_ago, "main", "+18005550100", steps))
    with CaptureQueriesContext(connection) as queries:
        dashboard = dashboard_get(language="en-GB", to_number="+18005550100")
    assert dashboard.menus["main"].chose == {"1": 2}
    sums = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert len(sums) == 2
    assert all("calllog_daycount" in sql and "calllog_call" not in sql for sql in sums)
    if connection.vendor == "sqlite":
        for sql in sums:
            plan = query_plan(sql)
            # The unique constraint's index (SQLite names it sqlite_autoindex_...).
            assert "SEARCH calllog_daycount USING INDEX" in plan, plan
            assert "(day>? AND day<?)" in plan, plan


def test_the_dashboard_read_from_the_calls_groups_them_on_the_calls_index_alone():
    entries_write(
        entries_of("CA1", 1, "main", "+18005550100", [(Step.Kind.MENU_KEY, "main", "1", "")])
    )
    with CaptureQueriesContext(connection) as queries:
        dashboard = dashboard_get(
            calls=Call.objects.filter(language="en-GB", to_number="+18005550100")
        )
    assert dashboard.menus["main"].chose == {"1": 1}
    (query,) = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert "calllog_step" not in query
    assert "DISTINCT" not in query.upper()
    if connection.vendor == "sqlite":
        plan = query_plan(query)
        assert "COVERING INDEX calllog_call_summary" in plan, plan


def test_a_calls_answers_stop_growing_at_their_limit():
    from calllog.statements import SUMMARY_SET_LENGTH

    menus = [f"menu-number-{n:03d}" for n in range(80)]
    steps = [(Step.Kind.MENU_KEY, menu, "1", menu) for menu in menus]
    entries_write(entries_of("CA-long", 1, "main", "+18005550100", steps))
    answers = Call.objects.get().menu_answers
    assert 0 < len(answers) <= SUMMARY_SET_LENGTH
    assert answers.startswith(",menu-number-000:1,")
