"""Each webhook answers Twilio with the TwiML for its step of the call."""

import re
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from directory.models import Directions, Language, Planet, Prompt
from tests.conftest import TwilioClient, parse_twiml, prompt_text, spoken
from tests.factories import make_directions, make_menu_prompt, make_planet

pytestmark = pytest.mark.django_db

BAD_DIGITS = [
    pytest.param(None, id="missing"),
    pytest.param("", id="empty"),
    pytest.param("12", id="two-digits"),
    pytest.param("a", id="letter"),
    pytest.param("٣", id="arabic-indic-three"),
    pytest.param("👽", id="emoji"),
    pytest.param("\x00", id="nul"),
    pytest.param("3" * 10_240, id="10kB"),
    pytest.param(" 3", id="padded"),
]


def target(url: str) -> tuple[str, dict]:
    """The path and query parameters of a URL the app emitted."""
    parts = urlsplit(url)
    return parts.path, {key: value for key, (value,) in parse_qs(parts.query).items()}


def call(client, name, digits=None, *, query="", method="post", **params):
    """Request one webhook the way Twilio does, with Digits when given."""
    if digits is not None:
        params["Digits"] = digits
    url = reverse(name) + (f"?{query}" if query else "")
    return getattr(client, method)(url, params)


def follow(client, url, **params):
    """Request a URL the app put in its own TwiML (an action or a Redirect)."""
    return client.post(url, params)


# Welcome


def test_welcome_gathers_one_digit_for_the_menu_with_the_greeting_looped(client, demo):
    root = parse_twiml(call(client, "ivr:welcome"))
    (gather,) = root
    assert gather.tag == "Gather"
    assert gather.get("numDigits") == "1"
    assert target(gather.get("action")) == (reverse("ivr:menu"), {"step": "1"})
    assert gather.get("actionOnEmptyResult") == "true"
    says = list(gather)
    assert says[0].text.startswith("Thanks for calling the E T Phone Home Service.")
    # The demo offers Japanese after the greeting; the pair is read three times.
    assert [say.text for say in says] == [says[0].text, says[1].text] * 3


def test_an_english_only_line_loops_the_greeting_as_before(client, demo):
    Language.objects.filter(code="ja-JP").delete()
    (say,) = parse_twiml(call(client, "ivr:welcome")).find("Gather")
    assert say.get("loop") == "3"
    assert (say.get("voice"), say.get("language")) == ("alice", "en-GB")


def test_welcome_answers_get_like_post(client, demo):
    get = call(client, "ivr:welcome", method="get")
    post = call(client, "ivr:welcome")
    assert parse_twiml(get) is not None
    assert get.content == post.content


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_not_allowed(client, demo, method):
    response = call(client, "ivr:welcome", method=method)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "GET, POST"


def test_webhooks_need_no_csrf_token(demo):
    client = TwilioClient(enforce_csrf_checks=True)
    assert parse_twiml(call(client, "ivr:menu", "2")).find("Gather") is not None


def test_the_greeting_is_read_from_the_main_menus_text_in_its_own_voice(client, demo):
    make_menu_prompt("Welcome aboard.", voice="Polly.Amy")
    say = parse_twiml(call(client, "ivr:welcome")).find("Gather/Say")
    assert (say.text, say.get("voice"), say.get("language")) == (
        "Welcome aboard.",
        "Polly.Amy",
        "en-GB",
    )


def test_an_empty_directory_still_greets_callers_with_the_default_words(client, db):
    root = parse_twiml(call(client, "ivr:welcome"))
    assert spoken(root)[0].startswith("Thanks for calling")


# Main menu


def test_menu_digit_1_reads_the_directions_in_use_then_offers_them_by_text(client, demo):
    make_directions(name="Old route", text="Turn right at Jupiter.")
    root = parse_twiml(call(client, "ivr:menu", "1"))
    assert [child.tag for child in root] == ["Say", "Gather"]
    assert root[0].text.startswith("To get to your extraction point, get on your bike")
    assert spoken(root[1]) == ["To get these directions by text message, press 1."]
    assert target(root[1].get("action")) == (
        reverse("ivr:menu"),
        {"menu": "directions-by-text", "step": "1"},
    )


def test_after_the_directions_silence_thanks_the_caller_and_hangs_up(client, demo):
    root = parse_twiml(
        client.post(
            reverse("ivr:menu") + "?menu=directions-by-text&step=2",
            {"CallSid": "CA-silent", "Digits": ""},
        )
    )
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert root[0].text.startswith("Thank you for calling the E T Phone Home Service")


def test_menu_digit_1_without_directions_in_use_says_the_fallback(client, demo):
    Directions.objects.update(in_use=False)
    root = parse_twiml(call(client, "ivr:menu", "1"))
    assert [child.tag for child in root] == ["Say", "Gather"]
    assert root[0].text == prompt_text(Prompt.Key.DIRECTIONS_UNAVAILABLE)


def test_menu_digit_2_lists_active_planets_in_order_then_the_star_line(client, demo):
    make_planet(name="Mars", spoken_name="the red planet", key="7", position=1)
    make_planet(name="Pluto", key="8", is_active=False)
    root = parse_twiml(call(client, "ivr:menu", "2"))
    (gather,) = root
    assert target(gather.get("action")) == (reverse("ivr:planets"), {"step": "1"})
    assert gather.get("numDigits") == "1"
    assert gather.get("actionOnEmptyResult") == "true"
    assert spoken(gather) == [
        "To call the red planet, press 7.",
        "To call the planet Broh doe As O G, press 2.",
        "To call the planet DuhGo bah, press 3.",
        "To call an oober asteroid to your location, press 4.",
        "To go back to the main menu, press the star key.",
    ]


@pytest.mark.parametrize("digits", ["0", "3", "7", "*", "#"])
def test_menu_other_keys_return_to_the_main_menu(client, demo, digits):
    root = parse_twiml(call(client, "ivr:menu", digits))
    assert [child.tag for child in root] == ["Say", "Redirect"]
    assert root[0].text == "Returning to the main menu."
    assert target(root[1].text) == (reverse("ivr:welcome"), {"attempts": "1", "step": "1"})


@pytest.mark.parametrize("digits", BAD_DIGITS)
def test_menu_bad_input_re_prompts_from_the_main_menu(client, demo, digits):
    root = parse_twiml(call(client, "ivr:menu", digits))
    assert [child.tag for child in root] == ["Say", "Redirect"]
    assert urlsplit(root[1].text).path == reverse("ivr:welcome")


def test_menu_no_input_says_so_before_returning(client, demo):
    root = parse_twiml(call(client, "ivr:menu"))
    assert spoken(root) == ["Sorry, we did not hear a key press."]


def test_attempts_carry_into_the_next_gather(client, demo):
    root = parse_twiml(call(client, "ivr:welcome", query="attempts=2&step=4"))
    action = root.find("Gather").get("action")
    assert target(action) == (reverse("ivr:menu"), {"attempts": "2", "step": "5"})


def test_the_last_allowed_attempt_says_goodbye_and_hangs_up(client, demo, settings):
    settings.IVR_MAX_ATTEMPTS = 3
    root = parse_twiml(call(client, "ivr:menu", query="attempts=2"))
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert root[0].text == prompt_text(Prompt.Key.GOODBYE)


def test_the_attempt_limit_is_a_setting(client, demo, settings):
    settings.IVR_MAX_ATTEMPTS = 5
    root = parse_twiml(call(client, "ivr:menu", query="attempts=3"))
    assert root[-1].tag == "Redirect"
    assert target(root[-1].text)[1]["attempts"] == "4"


@pytest.mark.parametrize("attempts", ["abc", "-5", "", "9" * 40, "1.5"])
def test_a_mangled_attempt_count_is_read_as_a_number_in_range(client, demo, attempts):
    root = parse_twiml(call(client, "ivr:menu", "7", query=f"attempts={attempts}"))
    assert root[-1].tag in {"Redirect", "Hangup"}


# Planet directory


def test_planet_key_dials_its_number_and_asks_for_the_outcome(client, demo):
    dagobah = Planet.objects.get(name="Dagobah")
    root = parse_twiml(call(client, "ivr:planets", "3"))
    (dial,) = root
    assert dial.tag == "Dial"
    assert dial.text == "+17262043675"
    assert target(dial.get("action")) == (
        reverse("ivr:dialed"),
        {"planet": str(dagobah.pk), "step": "1"},
    )


def test_an_inactive_planets_key_is_not_dialed(client, demo):
    Planet.objects.filter(key="3").update(is_active=False)
    root = parse_twiml(call(client, "ivr:planets", "3"))
    assert root.find("Dial") is None
    assert spoken(root)[0] == "Sorry, that key is not on the menu."


def test_star_goes_back_to_the_main_menu(client, demo):
    root = parse_twiml(call(client, "ivr:planets", "*"))
    assert [child.tag for child in root] == ["Say", "Redirect"]
    assert root[0].text == "Returning to the main menu."
    assert target(root[1].text) == (reverse("ivr:welcome"), {"step": "1"})


@pytest.mark.parametrize("digits", ["1", "9", "0", "#"])
def test_a_key_no_planet_uses_says_so_and_repeats_the_planet_directory(client, demo, digits):
    root = parse_twiml(call(client, "ivr:planets", digits))
    assert [child.tag for child in root] == ["Say", "Gather"]
    assert root[0].text == "Sorry, that key is not on the menu."
    assert target(root[1].get("action")) == (
        reverse("ivr:planets"),
        {"attempts": "1", "step": "1"},
    )
    assert spoken(root[1])[0] == "To call the planet Broh doe As O G, press 2."


@pytest.mark.parametrize("digits", BAD_DIGITS)
def test_planets_bad_input_re_prompts_the_planet_directory(client, demo, digits):
    root = parse_twiml(call(client, "ivr:planets", digits))
    assert root.find("Dial") is None
    assert root[-1].tag == "Gather"
    assert urlsplit(root[-1].get("action")).path == reverse("ivr:planets")


def test_planets_no_input_says_so(client, demo):
    root = parse_twiml(call(client, "ivr:planets", ""))
    assert spoken(root)[0] == "Sorry, we did not hear a key press."


def test_planets_out_of_attempts_says_goodbye(client, demo, settings):
    settings.IVR_MAX_ATTEMPTS = 2
    root = parse_twiml(call(client, "ivr:planets", "9", query="attempts=1"))
    assert [child.tag for child in root] == ["Say", "Hangup"]


# Dial outcome


@pytest.mark.parametrize("status", ["busy", "no-answer", "failed", "canceled", "", None])
def test_an_unanswered_dial_says_who_was_not_reached_and_repeats_the_menu(client, demo, status):
    """Without voicemail; with it, the offer comes first (tests/voicemail/test_views.py)."""
    Planet.objects.filter(name="Dagobah").update(takes_voicemail=False)
    dagobah = Planet.objects.get(name="Dagobah")
    params = {} if status is None else {"DialCallStatus": status}
    root = parse_twiml(call(client, "ivr:dialed", query=f"planet={dagobah.pk}", **params))
    assert [child.tag for child in root] == ["Say", "Gather"]
    assert root[0].text == "We could not reach the planet DuhGo bah."
    assert target(root[1].get("action"))[0] == reverse("ivr:planets")


def test_a_completed_dial_says_goodbye_and_hangs_up(client, demo):
    dagobah = Planet.objects.get(name="Dagobah")
    root = parse_twiml(
        call(client, "ivr:dialed", query=f"planet={dagobah.pk}", DialCallStatus="completed")
    )
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert root[0].text == prompt_text(Prompt.Key.DIAL_COMPLETED)


@pytest.mark.parametrize("planet", ["", "abc", "999999", "-1"])
def test_a_dial_outcome_for_an_unknown_planet_still_offers_the_menu(client, demo, planet):
    root = parse_twiml(call(client, "ivr:dialed", query=f"planet={planet}", DialCallStatus="busy"))
    assert root[-1].tag == "Gather"


def test_the_name_of_a_planet_deactivated_during_the_dial_is_still_said(client, demo):
    dagobah = Planet.objects.get(name="Dagobah")
    Planet.objects.filter(pk=dagobah.pk).update(is_active=False)
    root = parse_twiml(
        call(client, "ivr:dialed", query=f"planet={dagobah.pk}", DialCallStatus="busy")
    )
    assert root[0].text == "We could not reach the planet DuhGo bah."
    assert "To call the planet DuhGo bah, press 3." not in spoken(root)


# Whole calls and properties of every step

STEPS = [
    ("ivr:welcome", {}),
    ("ivr:menu", {"Digits": "1"}),
    ("ivr:menu", {"Digits": "2"}),
    ("ivr:menu", {"Digits": "7"}),
    ("ivr:planets", {"Digits": "3"}),
    ("ivr:planets", {"Digits": "9"}),
    ("ivr:planets", {"Digits": "*"}),
    ("ivr:dialed", {"DialCallStatus": "busy"}),
    ("ivr:dialed", {"DialCallStatus": "completed"}),
]


@pytest.mark.parametrize(("name", "params"), STEPS)
def test_every_step_reads_once_and_writes_the_call_log_once(client, demo, name, params):
    planet = Planet.objects.get(name="Dagobah")
    url = reverse(name) + (f"?planet={planet.pk}&step=3" if name == "ivr:dialed" else "?step=1")
    parse_twiml(client.post(reverse("ivr:welcome")))  # the process reads the directory once
    with CaptureQueriesContext(connection) as queries:
        parse_twiml(client.post(url, {"CallSid": "CA1", **params}))
    # Django records an executemany() of n rows as "n times: INSERT ...".
    sqls = [re.sub(r"^\d+ times: ", "", query["sql"]) for query in queries.captured_queries]
    # The call log's write, here in the request (tests have no spool): one transaction (a
    # savepoint in the test's), the lock on its call (PostgreSQL), and the call's row read
    # before and after it.
    write = [
        sql
        for sql in sqls
        if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "SELECT pg_advisory_xact_lock"))
        or '"calllog_' in sql
    ]
    # The webhook's own one read is the directory's revision, a single row: the script itself
    # is kept.
    (read,) = [sql for sql in sqls if sql not in write]
    assert "directory_revision" in read
    reads = [sql for sql in write if sql.startswith("SELECT ") and "pg_advisory" not in sql]
    assert all('FROM "calllog_call" WHERE "call_sid" IN (' in sql for sql in reads), write
    # The entry's row; for a step that says what the call did, also the merge into the call's
    # row and the day's counts it moves, in the same transaction (calllog.writer).
    tables = [sql.split('"')[1] for sql in write if sql.startswith("INSERT")]
    assert sorted(set(tables)) in (
        ["calllog_step"],
        ["calllog_call", "calllog_step"],
        ["calllog_call", "calllog_daycount", "calllog_step"],
    ), write
    assert (tables.count("calllog_step"), tables.count("calllog_call")) in ((1, 0), (1, 1))
    if len(tables) > 1:
        assert write[0].startswith("SAVEPOINT")
        assert write[-1].startswith("RELEASE SAVEPOINT")
        assert ("pg_advisory_xact_lock" in write[1]) is (connection.vendor == "postgresql")


@pytest.mark.parametrize(("name", "params"), STEPS)
def test_every_url_the_app_emits_resolves_to_a_webhook(client, demo, name, params):
    root = parse_twiml(client.post(reverse(name), params))
    urls = [el.get("action") for el in root.iter() if el.get("action")]
    urls += [el.text for el in root.iter("Redirect")]
    for url in urls:
        assert resolve(urlsplit(url).path).namespace == "ivr"


def test_unknown_ivr_paths_answer_twiml_that_returns_to_the_main_menu(client, demo):
    for path in ["/ivr/", "/ivr/nope", "/ivr/welcome/", "/ivr/menu/extra"]:
        root = parse_twiml(client.post(path, {"Digits": "1"}))
        assert root[-1].tag == "Redirect"
        assert root[-1].text == reverse("ivr:welcome")


def test_a_caller_walks_to_dagobah_gets_a_busy_line_and_hears_the_directory_again(client, demo):
    root = parse_twiml(call(client, "ivr:welcome"))
    root = parse_twiml(follow(client, root.find("Gather").get("action"), Digits="2"))
    root = parse_twiml(follow(client, root.find("Gather").get("action"), Digits="3"))
    dial = root.find("Dial")
    assert dial.text == "+17262043675"
    root = parse_twiml(follow(client, dial.get("action"), DialCallStatus="busy"))
    assert spoken(root)[0] == "We could not reach the planet DuhGo bah."
    # The voicemail offer; saying nothing there is the planet directory again.
    root = parse_twiml(follow(client, root.find("Gather").get("action")))
    assert target(root.find("Gather").get("action")) == (reverse("ivr:planets"), {"step": "5"})


def test_a_silent_caller_hears_the_greeting_three_times_then_goodbye(client, demo):
    url, greetings = reverse("ivr:welcome"), 0
    for _ in range(10):
        root = parse_twiml(follow(client, url))
        if root[-1].tag == "Hangup":
            break
        if root.find("Gather") is not None:
            greetings += 1
            url = root.find("Gather").get("action")
        else:
            url = root.find("Redirect").text
    assert greetings == 3
    assert spoken(root) == [prompt_text(Prompt.Key.GOODBYE)]


def test_a_caller_pressing_wrong_planet_keys_is_not_looped_forever(client, demo):
    url = reverse("ivr:planets")
    for _ in range(3):
        root = parse_twiml(follow(client, url, Digits="9"))
        if root[-1].tag == "Hangup":
            break
        url = root.find("Gather").get("action")
    assert root[-1].tag == "Hangup"


def test_a_changed_number_is_dialed_by_the_very_next_call(client, demo):
    Planet.objects.filter(name="Dagobah").update(phone_number="+14155550100")
    assert parse_twiml(call(client, "ivr:planets", "3")).find("Dial").text == "+14155550100"
