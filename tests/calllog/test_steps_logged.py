"""Every call is logged once, step by step, without ever changing what the caller hears."""

import logging

import pytest
from django.db import connection
from django.urls import reverse

from calllog.models import Call, Step
from directory.models import Action, Planet
from tests.conftest import parse_twiml
from tests.factories import log_entry, main_menu, make_menu, make_option
from twilio_api.client import SIMULATED_ACCOUNT_SID

pytestmark = pytest.mark.django_db

CALLER = {"CallSid": "CA100", "From": "+19295550123", "To": "+18005550100"}


def walk(client, *presses):
    """A call from the greeting, following the app's own URLs; presses are request params."""
    root = parse_twiml(client.post(reverse("ivr:welcome"), CALLER))
    for params in presses:
        while root.find("Redirect") is not None:  # Twilio follows a Redirect by itself
            root = parse_twiml(client.post(root.find("Redirect").text, CALLER))
        url = next(el.get("action") for el in root.iter() if el.get("action"))
        root = parse_twiml(client.post(url, {**CALLER, **params}))
    return root


# What timeline() reads of each step: what it was, or what it answered at a menu.
STEPS = ("sequence", "kind", "digits", "planet__name", "dial_status")
ANSWERS = ("sequence", "menu", "outcome", "option", "next_menu")


def timeline(call_sid="CA100", columns=STEPS):
    """A call's steps in order, these columns of each."""
    return list(Step.objects.filter(call_id=call_sid).order_by("sequence").values_list(*columns))


def test_a_call_is_logged_with_its_numbers_and_every_step_in_order(client, demo):
    # Silence at the voicemail offer is the planet directory again.
    walk(
        client,
        {"Digits": "2"},
        {"Digits": "3"},
        {"DialCallStatus": "busy"},
        {},
        {"Digits": "*"},
    )
    call = Call.objects.get()
    assert (call.call_sid, call.from_number, call.to_number) == (
        "CA100",
        "+19295550123",
        "+18005550100",
    )
    assert timeline() == [
        (1, "menu_key", "2", None, ""),
        (2, "planet_key", "3", "Dagobah", ""),
        (3, "dial_outcome", "", "Dagobah", "busy"),
        (4, "voicemail_offer", "", "Dagobah", ""),
        (5, "planet_key", "*", None, ""),
    ]


def test_each_step_records_its_menu_and_the_option_chosen_by_key_or_voice(client, demo):
    help_desk = make_menu(name="Help desk", slug="help-desk")
    make_option(menu=main_menu(), key="3", action=Action.MENU, target_menu=help_desk)
    make_option(menu=help_desk, key="1", action=Action.DIRECTORY)
    walk(
        client,
        {"Digits": "3"},
        {"SpeechResult": "Dagobah", "Confidence": "0.3"},  # a planet heard with doubt
        {"Digits": "2"},
        {"Digits": "7"},
        {"Digits": "1"},
        {"Digits": "*"},
    )
    steps = Step.objects.filter(call_id="CA100").order_by("sequence")
    assert list(steps.values_list("kind", "menu", "option", "digits")) == [
        ("menu_key", "main", "3", "3"),
        ("menu_key", "help-desk", "", ""),  # a planet's name is no option
        ("confirm", "help-desk", "", "2"),
        ("planet_key", "help-desk", "", "7"),
        ("planet_key", "help-desk", "", "1"),
        ("planet_key", "help-desk", "", "*"),
    ]


def test_no_input_and_wrong_keys_are_logged_as_pressed(client, demo):
    walk(client, {}, {}, {"Digits": "7"})
    assert timeline() == [
        (1, "menu_key", "", None, ""),
        (2, "main_menu", "", None, ""),
        (3, "menu_key", "", None, ""),
        (4, "main_menu", "", None, ""),
        (5, "menu_key", "7", None, ""),
    ]


def test_the_dial_outcome_keeps_twilios_duration(client, demo):
    walk(
        client,
        {"Digits": "2"},
        {"Digits": "4"},
        {"DialCallStatus": "completed", "DialCallDuration": "95"},
    )
    step = Step.objects.get(kind=Step.Kind.DIAL_OUTCOME)
    assert (step.planet.name, step.dial_status, step.dial_duration) == (
        "Oober asteroid",
        "completed",
        95,
    )


def test_a_retried_request_is_logged_once(client, demo):
    client.post(reverse("ivr:welcome"), CALLER)
    for _ in range(3):
        client.post(reverse("ivr:menu") + "?step=1", {**CALLER, "Digits": "2"})
    assert Call.objects.count() == 1
    assert timeline() == [(1, "menu_key", "2", None, "")]


def test_the_same_idempotency_token_is_logged_once(client, demo):
    token = {"HTTP_I_TWILIO_IDEMPOTENCY_TOKEN": "tok-1"}
    client.post(reverse("ivr:menu") + "?step=1", {**CALLER, "Digits": "2"}, **token)
    client.post(reverse("ivr:menu") + "?step=2", {**CALLER, "Digits": "2"}, **token)
    assert len(timeline()) == 1


def test_a_key_pressed_twice_at_different_steps_is_logged_twice(client, demo):
    walk(client, {"Digits": "2"}, {"Digits": "*"}, {"Digits": "2"})
    assert [(row[1], row[2]) for row in timeline()] == [
        ("menu_key", "2"),
        ("planet_key", "*"),
        ("main_menu", ""),
        ("menu_key", "2"),
    ]


def status_callback(client, **params):
    return client.post(
        reverse("ivr:status"),
        {**CALLER, "CallStatus": "completed", "CallDuration": "42", **params},
    )


def test_the_status_callback_after_the_last_step_is_merged_into_the_call(client, demo):
    walk(client, {"Digits": "1"})
    root = parse_twiml(status_callback(client))
    assert list(root) == []
    call = Call.objects.get()
    assert (call.status, call.duration, call.from_number) == ("completed", 42, "+19295550123")
    assert call.ended_at is not None
    assert len(timeline()) == 1


def test_a_status_callback_before_the_last_step_is_merged_not_duplicated(client, demo):
    client.post(reverse("ivr:welcome"), CALLER)
    status_callback(client, CallStatus="busy")
    client.post(reverse("ivr:menu") + "?step=1", {**CALLER, "Digits": "1"})
    status_callback(client, CallStatus="busy")
    call = Call.objects.get()
    assert call.status == "busy"
    assert len(timeline()) == 1


def test_a_status_callback_for_an_unseen_call_creates_it(client, demo):
    status_callback(client, CallSid="CA999")
    assert Call.objects.get(call_sid="CA999").status == "completed"


def test_an_unknown_call_status_is_not_recorded(client, demo):
    client.post(reverse("ivr:welcome"), CALLER)
    status_callback(client, CallStatus="ringing")
    assert Call.objects.get().status == ""


def test_the_status_callback_must_be_signed(unsigned_client, demo):
    response = unsigned_client.post(reverse("ivr:status"), {**CALLER, "CallStatus": "completed"})
    assert response.status_code == 403
    assert not Call.objects.exists()


def refuse_writes(execute, sql, params, many, context):
    if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
        raise RuntimeError("the disk is full")
    return execute(sql, params, many, context)


@pytest.mark.parametrize(
    ("name", "query", "params"),
    [
        ("ivr:welcome", "", {}),
        ("ivr:menu", "?step=1", {"Digits": "2"}),
        ("ivr:planets", "?step=2", {"Digits": "3"}),
        ("ivr:dialed", "?step=3&planet=1", {"DialCallStatus": "busy"}),
        ("ivr:status", "", {"CallStatus": "completed"}),
    ],
)
def test_a_failing_log_never_changes_what_the_caller_hears(
    client, demo, caplog, name, query, params
):
    url = reverse(name) + query
    expected = client.post(url, {**CALLER, "CallSid": "CA-ok", **params}).content
    with connection.execute_wrapper(refuse_writes), caplog.at_level(logging.ERROR, "ivr"):
        response = client.post(url, {**CALLER, **params})
    assert response.content == expected
    assert "Could not log step" in caplog.text
    assert "CA100" in caplog.text


def test_calls_from_the_simulator_are_answered_but_not_logged(client, demo):
    simulated = {**CALLER, "AccountSid": SIMULATED_ACCOUNT_SID}
    client.post(reverse("ivr:welcome"), simulated)
    root = parse_twiml(client.post(reverse("ivr:menu") + "?step=1", {**simulated, "Digits": "2"}))
    assert root.find("Gather") is not None
    assert not Call.objects.exists()
    assert not Step.objects.exists()


def test_requests_without_a_call_sid_are_answered_but_not_logged(client, demo):
    parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "2"}))
    assert not Step.objects.exists()


def test_a_planet_dialed_and_deleted_keeps_its_steps(client, demo):
    walk(client, {"Digits": "2"}, {"Digits": "3"})
    Planet.objects.filter(name="Dagobah").delete()
    assert [row[1] for row in timeline()] == ["menu_key", "planet_key"]


# The call's language


def test_a_call_records_the_language_it_started_in(client, demo):
    walk(client, {"Digits": "1"})
    assert Call.objects.get().language == "en-GB"


def test_a_language_chosen_mid_call_ends_up_on_the_call(client, demo):
    walk(client, {"Digits": "9"}, {"Digits": "1"})
    assert Call.objects.get().language == "ja-JP"
    assert timeline()[0] == (1, "menu_key", "9", None, "")


def test_the_latest_language_wins_whatever_order_entries_are_written_in():
    from calllog.writer import entries_write

    numbers = {"from_number": "+19295550123", "to_number": "+18005550100"}
    entries = [
        log_entry("call_start", "CA1", "2026-11-30T10:00:00+00:00", **numbers, language="en-GB"),
        log_entry("call_language", "CA1", "2026-11-30T10:00:05+00:00", language="ja-JP"),
        log_entry("call_language", "CA1", "2026-11-30T10:00:09+00:00", language="en-GB"),
        log_entry(
            "call_end",
            "CA1",
            "2026-11-30T10:01:00+00:00",
            **numbers,
            status="completed",
            duration=60,
        ),
    ]
    for order in (entries, entries[::-1], [entries[2], entries[0], entries[3], entries[1]]):
        Call.objects.all().delete()
        entries_write(order)
        entries_write(order[::-1])  # written again: nothing changes
        call = Call.objects.get()
        assert (call.language, call.status, call.from_number) == (
            "en-GB",
            "completed",
            "+19295550123",
        )
    Call.objects.all().delete()
    entries_write(entries[:2][::-1])
    assert Call.objects.get().language == "ja-JP"


def test_each_answer_at_a_menu_is_logged_with_what_it_was_and_where_it_led(client, demo):
    help_menu = make_menu(name="Help desk", slug="help")
    make_option(menu=main_menu(), key="3", action=Action.MENU, target_menu=help_menu)
    make_option(menu=help_menu, key="1", action=Action.HANG_UP)
    walk(
        client,
        {},  # nothing
        {"SpeechResult": "bananas", "Confidence": "0.9"},
        {"Digits": "3"},  # to the help desk, where the caller hangs up
    )
    assert timeline(columns=ANSWERS) == [
        (1, "main", "no_input", "", "main"),
        (2, "main", "", "", "main"),  # the menu read again after the miss
        (3, "main", "not_understood", "", "main"),
        (4, "main", "", "", "main"),
        (5, "main", "chose", "3", "help"),
    ]
    call = Call.objects.get()
    assert (call.first_menu, call.menu_answers, call.last_menu) == (
        "main",
        ",main:n,main:u,main:3,",
        "help",
    )


def test_running_out_of_attempts_and_a_message_that_hangs_up_leave_no_menu(client, demo):
    walk(client, {"Digits": "7"}, {}, {})
    outcomes = [outcome for _, _, outcome, _, _ in timeline(columns=ANSWERS) if outcome]
    assert outcomes == ["wrong_key", "no_input", "out_of_attempts"]
    assert Call.objects.get().menu_answers == ",main:w,main:n,main:x,"
    assert Call.objects.get().last_menu == ""
    # The directions, then silence at their offer by text: the thank-you and a hang-up.
    walk_as = {**CALLER, "CallSid": "CA200"}
    root = parse_twiml(client.post(reverse("ivr:welcome"), walk_as))
    root = parse_twiml(client.post(root.find("Gather").get("action"), {**walk_as, "Digits": "1"}))
    client.post(root.find("Gather").get("action"), {**walk_as, "Digits": ""})
    assert timeline("CA200", ANSWERS) == [
        (1, "main", "chose", "1", "directions-by-text"),
        (2, "directions-by-text", "no_input", "", ""),
    ]
    assert Call.objects.get(call_sid="CA200").last_menu == ""
