"""Staff read the call log in the admin: newest first, filtered, exported, numbers masked."""

import csv
import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calllog.models import Call, DayCount, Step, Utterance
from calllog.selectors import dashboard_get
from calllog.writer import entries_write
from directory.models import Action, CalledNumber, Language, Planet
from tests.factories import log_entry, main_menu, make_menu, make_option, make_staff, step_entry

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:calllog_call_changelist"


def make_call(
    sid, *, days_ago=0, number="+19295550123", steps=(), status="", duration=None, language=""
):
    """A call written as the webhooks write it (calllog.writer), steps a second apart."""
    started = timezone.now() - timedelta(days=days_ago)
    numbers = {"from_number": number, "to_number": "+18005550100"}
    entries = [log_entry("call_start", sid, started, **numbers, language=language)]
    for sequence, (kind, extra) in enumerate(steps, start=1):
        at = started + timedelta(seconds=sequence)
        fields = {name: value for name, value in extra.items() if name != "planet"}
        planet = extra.get("planet")
        entries.append(
            step_entry(sid, sequence, at, kind, planet_id=planet and planet.pk, **fields)
        )
    if status:
        ended = started + timedelta(seconds=duration or 0)
        entries.append(
            log_entry("call_end", sid, ended, status=status, duration=duration, **numbers)
        )
    entries_write(entries)
    return Call.objects.get(call_sid=sid)


@pytest.fixture
def viewer(client, demo):
    client.force_login(make_staff(permissions=("calllog.view_call",)))
    return client


@pytest.fixture
def calls(demo):
    dagobah = Planet.objects.get(name="Dagobah")
    make_call("CA-directions", days_ago=2, steps=[(Step.Kind.MENU_KEY, {"digits": "1"})])
    make_call(
        "CA-dagobah",
        days_ago=1,
        number="+17265550199",
        steps=[
            (Step.Kind.MENU_KEY, {"digits": "2"}),
            (Step.Kind.PLANET_KEY, {"digits": "3", "planet": dagobah}),
            (Step.Kind.DIAL_OUTCOME, {"planet": dagobah, "dial_status": "completed"}),
        ],
        status="completed",
        duration=120,
    )
    make_call("CA-silent", days_ago=0, steps=[(Step.Kind.MENU_KEY, {"digits": ""})])
    make_call("CA-old", days_ago=40)
    return dagobah


def listed(response):
    return [call.call_sid for call in response.context["cl"].result_list]


def test_calls_are_listed_newest_first(viewer, calls):
    response = viewer.get(reverse(CHANGELIST))
    assert listed(response) == ["CA-silent", "CA-dagobah", "CA-directions", "CA-old"]


def test_the_call_log_is_read_only(viewer, calls):
    call = Call.objects.get(call_sid="CA-dagobah")
    assert viewer.get(reverse("admin:calllog_call_add")).status_code == HTTPStatus.FORBIDDEN
    url = reverse("admin:calllog_call_change", args=[call.pk])
    response = viewer.post(url, {"status": "busy"})
    assert Call.objects.get(pk=call.pk).status == "completed"
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FORBIDDEN}
    assert (
        viewer.post(
            reverse("admin:calllog_call_delete", args=[call.pk]), {"post": "yes"}
        ).status_code
        == HTTPStatus.FORBIDDEN
    )


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("directions", ["CA-directions"]),
        ("connected", ["CA-dagobah"]),
        ("no_choice", ["CA-silent", "CA-old"]),
    ],
)
def test_calls_can_be_filtered_by_outcome(viewer, calls, outcome, expected):
    assert listed(viewer.get(reverse(CHANGELIST), {"outcome": outcome})) == expected


def test_calls_can_be_filtered_by_planet_dialed(viewer, calls):
    response = viewer.get(reverse(CHANGELIST), {"planet": calls.pk})
    assert listed(response) == ["CA-dagobah"]


def test_calls_can_be_filtered_by_date(viewer, calls):
    since = (timezone.now() - timedelta(days=7)).isoformat()
    response = viewer.get(reverse(CHANGELIST), {"started_at__gte": since})
    assert "CA-old" not in listed(response)
    assert len(listed(response)) == 3


@pytest.mark.parametrize(
    ("query", "expected"), [("CA-dag", ["CA-dagobah"]), ("0199", ["CA-dagobah"])]
)
def test_staff_who_see_numbers_search_by_call_sid_or_caller_number(client, calls, query, expected):
    client.force_login(make_staff(permissions=("calllog.view_call", "calllog.view_caller_number")))
    assert listed(client.get(reverse(CHANGELIST), {"q": query})) == expected


def test_staff_who_see_masked_numbers_cannot_search_by_caller_number(viewer, calls):
    assert listed(viewer.get(reverse(CHANGELIST), {"q": "+17265550199"})) == []
    assert listed(viewer.get(reverse(CHANGELIST), {"q": "CA-dag"})) == ["CA-dagobah"]
    assert len(listed(viewer.get(reverse(CHANGELIST), {"q": "+18005550100"}))) == 4


def test_caller_numbers_are_masked_without_the_permission(viewer, calls):
    html = viewer.get(reverse(CHANGELIST)).content.decode()
    assert "+17265550199" not in html
    assert "•••0199" in html


def test_staff_with_the_permission_see_caller_numbers(client, calls):
    client.force_login(make_staff(permissions=("calllog.view_call", "calllog.view_caller_number")))
    html = client.get(reverse(CHANGELIST)).content.decode()
    assert "+17265550199" in html


def test_a_calls_page_shows_its_steps_as_a_timeline(viewer, calls):
    call = Call.objects.get(call_sid="CA-dagobah")
    html = viewer.get(reverse("admin:calllog_call_change", args=[call.pk])).content.decode()
    positions = [
        html.index(text)
        for text in [
            "Called in: main menu",
            "Main menu: pressed 2",
            "Planet directory: pressed 3, dialing Dagobah",
            "Dial to Dagobah: completed",
        ]
    ]
    assert positions == sorted(positions)
    assert "+17265550199" not in html


def test_a_calls_page_shows_its_timeline_in_japanese_for_a_japanese_browser(viewer, calls):
    call = Call.objects.get(call_sid="CA-dagobah")
    call.ended_at, call.status = call.started_at + timedelta(minutes=2), "no-answer"
    call.save()
    html = viewer.get(
        reverse("admin:calllog_call_change", args=[call.pk]), HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    positions = [
        html.index(text)
        for text in [
            "着信: メインメニュー",
            "メインメニュー: 2 を押した",
            "惑星一覧: 3 を押した、Dagobah に発信",
            "Dagobah への発信: 完了",
            "通話終了: 応答なし",
        ]
    ]
    assert positions == sorted(positions)


def test_the_call_list_filters_and_dashboard_speak_japanese(viewer, calls):
    html = viewer.get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    for text in ["通話記録", "発信先の惑星", "案内を聞いた", "選択された通話を CSV に書き出す"]:
        assert text in html
    html = viewer.get(
        reverse("admin:calllog_dashboard"), HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    for text in ["通話ダッシュボード", "日別の通話数（過去 30 日間）", "応答率 100%", "選択なし"]:
        assert text in html


def export(client, sids):
    pks = Call.objects.filter(call_sid__in=sids).values_list("pk", flat=True)
    response = client.post(
        reverse(CHANGELIST), {"action": "export_csv", "_selected_action": list(pks)}
    )
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_selection_exports_as_csv_with_masked_numbers(viewer, calls):
    rows = export(viewer, ["CA-dagobah", "CA-silent"])
    assert rows[0] == ["call_sid", "caller", "called", "started", "ended", "status", "duration"]
    assert [(row[0], row[1], row[5], row[6]) for row in rows[1:]] == [
        ("CA-silent", "•••0123", "", ""),
        ("CA-dagobah", "•••0199", "completed", "120"),
    ]


def test_the_export_has_full_numbers_for_staff_with_the_permission(client, calls):
    client.force_login(make_staff(permissions=("calllog.view_call", "calllog.view_caller_number")))
    # A leading apostrophe: readable, and no spreadsheet takes the + for a formula.
    assert export(client, ["CA-dagobah"])[1][1] == "'+17265550199"


HOSTILE_NUMBERS = ["=1+1", "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3", "\t=1", "\r=1"]


@pytest.mark.parametrize("permissions", [(), ("calllog.view_caller_number",)])
def test_no_exported_cell_is_a_formula_whatever_the_caller_sent(client, demo, permissions):
    for n, number in enumerate(HOSTILE_NUMBERS):
        make_call(f"CA-hostile-{n}", number=number)
    client.force_login(make_staff(permissions=("calllog.view_call", *permissions)))

    rows = export(client, [f"CA-hostile-{n}" for n in range(len(HOSTILE_NUMBERS))])

    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))] == []
    if permissions:
        assert sorted(row[1] for row in rows[1:]) == sorted(f"'{n}" for n in HOSTILE_NUMBERS)


LOOKUPS = ["from_number", "from_number__exact", "from_number__startswith", "from_number__regex"]
LOOKUPS += ["from_number__in", "from_number__iexact", "from_number__contains", "from_number__gt"]


@pytest.mark.parametrize("lookup", LOOKUPS)
def test_a_login_that_sees_masked_numbers_cannot_filter_by_them(viewer, calls, lookup):
    response = viewer.get(reverse(CHANGELIST), {lookup: "+17265550199"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "CA-dagobah" not in response.content.decode()


@pytest.mark.parametrize(
    ("order", "as_if"), [("3", ""), ("-3", ""), ("3.1", "1"), ("-3.-1", "-1"), ("1.3", "1")]
)
def test_nor_sort_by_them(viewer, calls, order, as_if):
    """The caller column (the third) sorts nothing: a list sorted by it is sorted as if it
    were not asked for."""
    expected = listed(viewer.get(reverse(CHANGELIST), {"o": as_if} if as_if else {}))

    response = viewer.get(reverse(CHANGELIST), {"o": order})

    assert response.status_code == HTTPStatus.OK
    assert listed(response) == expected


def test_a_number_too_large_for_an_id_in_a_filter_is_a_bad_request(client, calls):
    client.force_login(make_staff(permissions=("calllog.view_utterance",)))
    url = reverse("admin:calllog_utterance_changelist")

    response = client.get(url, {"planet__id__exact": "99999999999999999999999"})

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_nor_through_what_the_callers_said(client, calls):
    client.force_login(make_staff(permissions=("calllog.view_utterance",)))
    url = reverse("admin:calllog_utterance_changelist")

    response = client.get(url, {"call__from_number__startswith": "+1"})

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_staff_who_see_numbers_may_filter_by_them(client, calls):
    client.force_login(make_staff(permissions=("calllog.view_call", "calllog.view_caller_number")))
    response = client.get(reverse(CHANGELIST), {"from_number__startswith": "+1726555019"})
    assert listed(response) == ["CA-dagobah"]


def test_the_dashboard_counts_each_call_once(viewer, calls):
    dagobah = calls
    make_call(
        "CA-both-and-redial",
        steps=[
            (Step.Kind.MENU_KEY, {"digits": "2"}),
            (Step.Kind.PLANET_KEY, {"digits": "3", "planet": dagobah}),
            (Step.Kind.DIAL_OUTCOME, {"planet": dagobah, "dial_status": "busy"}),
            (Step.Kind.PLANET_KEY, {"digits": "3", "planet": dagobah}),
            (Step.Kind.DIAL_OUTCOME, {"planet": dagobah, "dial_status": "busy"}),
            (Step.Kind.PLANET_KEY, {"digits": "*"}),
            (Step.Kind.MENU_KEY, {"digits": "1"}),
        ],
    )
    figures = viewer.get(reverse("admin:calllog_dashboard")).context["figures"]
    assert figures.choices == {"directions": 2, "planets": 2, "no_choice": 1}
    (planet,) = figures.planets
    assert (planet.dialed, planet.answered, planet.answer_rate) == (2, 1, 0.5)


def test_the_dashboard_counts_days_choices_and_planets(viewer, calls):
    response = viewer.get(reverse("admin:calllog_dashboard"))
    figures = response.context["figures"]
    assert len(figures.days) == 30
    assert sum(count for _, count in figures.days) == 3
    assert figures.choices == {"directions": 1, "planets": 1, "no_choice": 1}
    (dagobah,) = figures.planets
    assert (dagobah.name, dagobah.dialed, dagobah.answered, dagobah.answer_rate) == (
        "Dagobah",
        1,
        1,
        1.0,
    )
    content = response.content.decode().split('id="content-main"')[1]
    assert content.count('<svg viewBox="') == 3
    assert "<script" not in content


def test_the_dashboard_needs_the_call_log_permission(client, demo):
    client.force_login(make_staff(username="nobody"))
    assert client.get(reverse("admin:calllog_dashboard")).status_code == HTTPStatus.FORBIDDEN


def test_purge_calls_deletes_old_calls_and_their_steps(calls, capsys):
    Step.objects.create(call_id="CA-old", sequence=1, kind=Step.Kind.MENU_KEY)
    call_command("purge_calls", "--older-than", "30")
    assert not Call.objects.filter(call_sid="CA-old").exists()
    assert not Step.objects.filter(call_id="CA-old").exists()
    assert Call.objects.count() == 3
    assert "Deleted 1 call(s) and 1 step(s) older than 30 days in 1 batch(es)." in (
        capsys.readouterr().out
    )


def test_purge_calls_takes_the_calls_it_deletes_off_the_dashboard(viewer, calls):
    call_command("purge_calls", "--older-than", "2")  # CA-directions and CA-old
    figures = viewer.get(reverse("admin:calllog_dashboard")).context["figures"]
    assert sum(count for _, count in figures.days) == 2
    assert figures.choices == {"directions": 0, "planets": 1, "no_choice": 1}


def test_purge_calls_deletes_old_utterances_with_their_calls_and_orphans_by_age(calls):
    long_ago = timezone.now() - timedelta(days=60)
    said = {"sequence": 1, "heard": "Dagobah", "confidence": 0.9, "score": 100.0}
    Utterance.objects.create(call_id="CA-old", created_at=long_ago, **said)
    Utterance.objects.create(call_id="CA-never-logged", created_at=long_ago, **said)
    Utterance.objects.create(call_id="CA-dagobah", **said)
    call_command("purge_calls", "--older-than", "30")
    assert list(Utterance.objects.values_list("call_id", flat=True)) == ["CA-dagobah"]


def test_purge_calls_deletes_in_batches_of_at_most_batch_size_calls(demo, capsys):
    for n in range(5):
        make_call(f"CA-old{n}", days_ago=40, steps=[(Step.Kind.MENU_KEY, {"digits": "1"})])
    Step.objects.create(call_id="CA-never-logged", sequence=1, kind=Step.Kind.MENU_KEY)
    Step.objects.filter(call_id="CA-never-logged").update(
        created_at=timezone.now() - timedelta(days=40)
    )
    make_call("CA-new", days_ago=1)
    with CaptureQueriesContext(connection) as queries:
        call_command("purge_calls", "--older-than", "30", "--batch-size", "2")
    deletes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('DELETE FROM "calllog_')
    ]
    call_deletes = [sql for sql in deletes if 'FROM "calllog_call"' in sql]
    # 5 calls in batches of 2: three deletes of calls, each naming at most two of them.
    assert [sql.count("'CA-old") for sql in call_deletes] == [2, 2, 1]
    # Each batch deletes steps, utterances and calls; then one delete of the orphan step, and
    # one of the old days' counts, at nothing now.
    assert len(deletes) == 3 * 3 + 1 + 1
    assert list(Call.objects.values_list("call_sid", flat=True)) == ["CA-new"]
    assert not DayCount.objects.filter(day__lt=timezone.localdate() - timedelta(days=2)).exists()
    assert not Step.objects.exists()
    assert "Deleted 5 call(s) and 6 step(s) older than 30 days in 4 batch(es)." in (
        capsys.readouterr().out
    )


def test_purge_calls_refuses_a_batch_size_below_one(demo):
    with pytest.raises(CommandError, match="--batch-size"):
        call_command("purge_calls", "--batch-size", "0")


def test_purge_calls_defaults_to_the_retention_setting(calls, settings):
    settings.CALL_LOG_RETENTION_DAYS = 1
    from calllog.management.commands.purge_calls import Command

    parser = Command().create_parser("manage.py", "purge_calls")
    call_command("purge_calls", older_than=parser.get_default("older_than"))
    assert sorted(Call.objects.values_list("call_sid", flat=True)) == ["CA-silent"]


def test_generate_calls_fills_an_empty_log_with_plausible_calls(demo):
    call_command("generate_calls", "--count", "200", "--if-empty")
    assert Call.objects.count() == 200
    assert Step.objects.filter(kind=Step.Kind.DIAL_OUTCOME).exists()
    # The day's counts made with them.
    assert dashboard_get() == dashboard_get(calls=Call.objects.all())
    if connection.vendor == "sqlite":  # the planner's statistics, refreshed after bulk writes
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'calllog_step'")
            assert cursor.fetchone()[0] > 0
    call_command("generate_calls", "--count", "200", "--if-empty")
    assert Call.objects.count() == 200


def test_recount_calls_counts_the_days_again_from_the_calls(calls, capsys):
    make_call("CA-japanese", language="ja-JP", steps=[(Step.Kind.MENU_KEY, {"digits": "1"})])
    counted = dashboard_get()
    DayCount.objects.filter(figure="choice").delete()
    DayCount.objects.filter(figure="calls").update(count=99)
    call_command("recount_calls")
    assert dashboard_get() == counted == dashboard_get(calls=Call.objects.all())
    assert dashboard_get(language="ja-JP").choices["directions"] == 1
    assert "Counted the calls again:" in capsys.readouterr().out


def test_the_call_list_filters_by_language(viewer, calls):
    make_call("CA-japanese", language="ja-JP")
    response = viewer.get(reverse(CHANGELIST), {"language": "ja-JP"})
    assert [call.call_sid for call in response.context["cl"].result_list] == ["CA-japanese"]
    assert "ja-JP" in response.content.decode()


def test_the_dashboard_can_show_the_calls_of_one_language(viewer, calls):
    make_call("CA-japanese", language="ja-JP", steps=[(Step.Kind.MENU_KEY, {"digits": "1"})])
    response = viewer.get(reverse("admin:calllog_dashboard"), {"language": "ja-JP"})
    figures = response.context["figures"]
    assert sum(count for _, count in figures.days) == 1
    assert figures.choices == {"directions": 1, "planets": 0, "no_choice": 0}
    assert figures.planets == []
    assert '<option value="ja-JP" lang="ja-JP" selected>' in response.content.decode()


def test_an_unknown_dashboard_language_shows_every_call(viewer, calls):
    response = viewer.get(reverse("admin:calllog_dashboard"), {"language": "xx' OR 1=1"})
    assert sum(count for _, count in response.context["figures"].days) == 3


def menu_call(sid, *answers, language="en-GB", to_number="+18005550100"):
    """A call from the main menu through answers (menu, outcome, key, next menu)."""
    started = timezone.now() - timedelta(minutes=5)
    entries = [
        log_entry(
            "call_start",
            sid,
            started,
            from_number="+19295550123",
            to_number=to_number,
            language=language,
            first_menu="main",
        )
    ]
    for sequence, (menu, outcome, key, next_menu) in enumerate(answers, start=1):
        at = started + timedelta(seconds=sequence)
        option = key if outcome == Step.Outcome.CHOSE else ""
        fields = {"menu": menu, "outcome": outcome, "option": option, "digits": key}
        entries.append(
            step_entry(sid, sequence, at, Step.Kind.MENU_KEY, next_menu=next_menu, **fields)
        )
    entries_write(entries)


@pytest.fixture
def tree_calls(demo):
    help_desk = make_menu(name="Help desk", slug="help")
    make_option(menu=main_menu(), key="3", action=Action.MENU, target_menu=help_desk)
    make_option(menu=help_desk, key="1", action=Action.HANG_UP)
    CalledNumber.objects.create(number="+81335550100", language=Language.objects.get(code="ja-JP"))
    menu_call("CA-a", ("main", "chose", "3", "help"))  # hung up at the help desk
    menu_call(
        "CA-b",
        ("main", "no_input", "", "main"),
        ("main", "chose", "3", "help"),
        ("help", "chose", "1", ""),
    )
    menu_call(
        "CA-c", ("main", "wrong_key", "7", "main"), language="ja-JP", to_number="+81335550100"
    )
    return help_desk


def menu_rows(response) -> dict:
    return {report.slug: (report, misses) for report, misses in response.context["menus"]}


def test_the_dashboard_shows_where_callers_go_in_each_menu(viewer, tree_calls):
    response = viewer.get(reverse("admin:calllog_dashboard"))
    rows = menu_rows(response)
    main, main_misses = rows["main"]
    assert (main.figures.reached, main.figures.left) == (3, 1)
    assert {row.key: row.calls for row in main.options} == {"1": 0, "2": 0, "3": 2, "8": 0, "9": 0}
    assert dict(main_misses)[Step.Outcome.NO_INPUT.label] == 1
    assert dict(main_misses)[Step.Outcome.WRONG_KEY.label] == 1
    help_desk, _ = rows["help"]
    assert (help_desk.figures.reached, help_desk.figures.left) == (2, 1)
    assert {row.key: row.calls for row in help_desk.options} == {"1": 1}
    page = response.content.decode()
    assert reverse("admin:directory_menu_change", args=[tree_calls.pk]) in page
    assert 'data-menu="help"' in page


def test_the_menu_figures_follow_the_language_and_the_number_called(viewer, tree_calls):
    by_number = viewer.get(reverse("admin:calllog_dashboard"), {"number": "+81335550100"})
    main, misses = menu_rows(by_number)["main"]
    assert (
        main.figures.reached,
        main.figures.left,
        dict(misses)[Step.Outcome.WRONG_KEY.label],
    ) == (
        1,
        1,
        1,
    )
    assert menu_rows(by_number)["help"][0].figures.reached == 0
    assert 'value="+81335550100"' in by_number.content.decode()
    # A number staff did not list (the default language's) is typed.
    english_line = viewer.get(reverse("admin:calllog_dashboard"), {"number": "+18005550100"})
    assert menu_rows(english_line)["main"][0].figures.reached == 2
    english = viewer.get(reverse("admin:calllog_dashboard"), {"language": "en-GB"})
    assert menu_rows(english)["main"][0].figures.reached == 2
    unknown = viewer.get(reverse("admin:calllog_dashboard"), {"number": "+1' OR 1=1"})
    assert menu_rows(unknown)["main"][0].figures.reached == 3


def test_the_call_page_shows_the_path_through_the_menus(client, tree_calls):
    client.force_login(make_staff(permissions=("calllog.view_call",)))
    call = Call.objects.get(call_sid="CA-b")
    page = client.get(reverse("admin:calllog_call_change", args=[call.pk])).content.decode()
    path = page.split('<ol class="menu-path">')[1].split("</ol>")[0]
    assert path == (
        "<li><b>Main menu</b>: said nothing</li>"
        "<li><b>Main menu</b>: chose 3</li>"
        "<li><b>Help desk</b>: chose 1</li>"
    )
    hung_up = Call.objects.get(call_sid="CA-a")
    page = client.get(reverse("admin:calllog_call_change", args=[hung_up.pk])).content.decode()
    assert "<li><b>Help desk</b>: there when last logged</li>" in page
