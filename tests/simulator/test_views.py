"""The simulator page is for staff, and its JSON step walks the call on the server."""

import json
import time
from html.parser import HTMLParser
from http import HTTPStatus
from unittest.mock import patch

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client
from django.urls import reverse

from directory.models import Action
from simulator.interpreter import DIAL_OUTCOMES
from simulator.views import STATE_MAX_AGE_SECONDS, STATE_SALT
from tests.factories import main_menu, make_menu, make_option, make_staff

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.sqlite_run_only(
        reason="the simulator's page and step (the webhooks run on PostgreSQL in tests/ivr)"
    ),
]

PAGE = reverse("simulator:phone")
STEP = reverse("simulator:step")
GREETING = "Thanks for calling the E T Phone Home Service."


class Page(HTMLParser):
    """The page's buttons, inputs and the URLs it loads."""

    def __init__(self, html):
        super().__init__()
        self.buttons, self.inputs, self.loads = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "button":
            self.buttons.append(attrs)
        if tag == "input":
            self.inputs.append(attrs)
        if tag in ("script", "link", "img") and (attrs.get("src") or attrs.get("href")):
            self.loads.append(attrs.get("src") or attrs.get("href"))


def step(client, **payload):
    return client.post(STEP, json.dumps(payload), content_type="application/json")


def kinds(response):
    return [event["kind"] for event in response.json()["events"]]


# Who may use it


def test_anonymous_visitors_are_asked_to_sign_in_without_being_shown_the_admins_path():
    response = Client(HTTP_HOST="localhost").get(PAGE)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.content.decode() == "Sign in as staff to use the simulator."
    assert "Location" not in response


def test_a_signed_in_user_who_is_not_staff_is_refused():
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.create_user("visitor", password="x"))
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Sign in" not in response.content.decode()


def test_staff_without_any_permission_get_the_phone(staff_client):
    assert staff_client.get(PAGE).status_code == HTTPStatus.OK


def test_the_step_refuses_anyone_but_staff(demo):
    client = Client(HTTP_HOST="localhost")
    response = step(client, action="start")
    assert response.status_code == HTTPStatus.FORBIDDEN
    client.force_login(User.objects.create_user("visitor", password="x"))
    assert step(client, action="start").status_code == HTTPStatus.FORBIDDEN


def test_the_step_refuses_inactive_staff(demo):
    client = Client(HTTP_HOST="localhost")
    client.force_login(make_staff(username="gone", is_active=False))
    assert step(client, action="start").status_code == HTTPStatus.FORBIDDEN


def test_the_step_needs_a_csrf_token(demo, staff):
    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    client.force_login(staff)
    assert step(client, action="start").status_code == HTTPStatus.FORBIDDEN


def test_the_step_is_post_only(staff_client):
    assert staff_client.get(STEP).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# The page


def test_the_page_has_a_keypad_a_say_nothing_button_and_the_dial_outcomes(staff_client):
    page = Page(staff_client.get(PAGE).content.decode())
    keys = [button["data-key"] for button in page.buttons if "data-key" in button]
    assert keys == list("123456789*0#")
    assert {button.get("id") for button in page.buttons} >= {"call", "silence"}
    outcomes = [field["value"] for field in page.inputs if field.get("name") == "dial-outcome"]
    assert outcomes == list(DIAL_OUTCOMES)
    assert {field.get("id") for field in page.inputs} >= {"read-aloud", "show-requests"}


def test_the_page_loads_only_its_own_static_files(staff_client):
    loads = Page(staff_client.get(PAGE).content.decode()).loads
    assert sorted(loads) == ["/static/simulator/simulator.css", "/static/simulator/simulator.js"]


@pytest.mark.parametrize("name", ["simulator.css", "simulator.js"])
def test_whitenoise_serves_the_static_files(name):
    # DEBUG is off and nothing else in the stack serves /static/: a 200 is whitenoise's.
    response = Client().get(f"/static/simulator/{name}")
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content)


# The step


def test_start_walks_to_the_first_gather_and_returns_a_state_to_go_on_with(staff_client, demo):
    response = step(staff_client, action="start")
    data = response.json()
    assert response.status_code == HTTPStatus.OK
    # The greeting and the offer of Japanese, read three times.
    assert kinds(response) == ["requested", *["said"] * 6, "gathering"]
    said, offer = data["events"][1:3]
    assert said["line"].startswith(f"Says (alice, en-GB): {GREETING}")
    assert said["text"].startswith(GREETING)
    assert (said["voice"], said["language"]) == ("alice", "en-GB")
    assert (offer["voice"], offer["language"]) == ("Polly.Mizuki", "ja-JP")
    assert data["state"]
    assert data["error"] is None


def test_a_call_started_in_japanese_is_heard_in_japanese(staff_client, demo):
    data = step(staff_client, action="start", language="ja-JP").json()
    said = [event for event in data["events"] if event["kind"] == "said"]
    assert said[0]["text"].startswith("イーティー・フォン・ホーム・サービスにお電話いただき")
    assert (said[0]["voice"], said[0]["language"]) == ("Polly.Mizuki", "ja-JP")
    assert (said[1]["text"], said[1]["language"]) == ("For English, press 8.", "en-GB")


def test_the_page_offers_the_languages_with_the_default_first(staff_client, demo):
    html = staff_client.get(reverse("simulator:phone")).content.decode()
    assert html.index(">English (en-GB)<") < html.index(">日本語 (ja-JP)<")
    assert '<option value="ja-JP" lang="ja-JP">' in html


def test_pressing_keys_goes_on_from_the_state(staff_client, demo):
    state = step(staff_client, action="start").json()["state"]
    state = step(staff_client, action="press", keys="2", state=state).json()["state"]
    data = step(
        staff_client, action="press", keys="3", state=state, dial_outcome="no-answer"
    ).json()
    (dialed,) = [event for event in data["events"] if event["kind"] == "dialed"]
    assert (dialed["target"], dialed["outcome"]) == ("+17262043675", "no-answer")


def test_saying_words_goes_on_from_the_state_as_speech(staff_client, demo):
    state = step(staff_client, action="start").json()["state"]
    state = step(staff_client, action="say", words="planets", state=state).json()["state"]
    data = step(staff_client, action="say", words="dagoba please", state=state).json()
    spoke, requested = data["events"][:2]
    assert requested["params"] == {"SpeechResult": "dagoba please", "Confidence": "0.90"}
    assert spoke == {
        "kind": "spoke",
        "line": "You say “dagoba please” (confidence 0.90)",
        "words": "dagoba please",
        "confidence": 0.9,
    }
    (dialed,) = [event for event in data["events"] if event["kind"] == "dialed"]
    assert dialed["target"] == "+17262043675"


def test_words_said_with_a_low_confidence_are_confirmed(staff_client, demo):
    state = step(staff_client, action="start").json()["state"]
    data = step(staff_client, action="say", words="Dagobah", confidence=0.3, state=state).json()
    said = [event["text"] for event in data["events"] if event["kind"] == "said"]
    assert said[0].startswith("Did you say the planet DuhGo bah?")


def test_the_gathering_event_says_what_the_menu_listens_for(staff_client, demo):
    (gathering,) = [e for e in step(staff_client, action="start").json()["events"][-1:]]
    assert gathering["kind"] == "gathering"
    assert gathering["speech_language"] == "en-GB"
    assert gathering["hints"] > 0
    assert gathering["menu"] == "Main menu"


def test_the_gathering_event_names_a_submenu_and_the_planet_directory(staff_client, demo):
    help_desk = make_menu(name="Help desk", slug="help-desk")
    make_option(menu=main_menu(), key="3", action=Action.MENU, target_menu=help_desk)
    make_option(menu=help_desk, key="1", action=Action.DIRECTORY)
    data = step(staff_client, action="start").json()
    data = step(staff_client, action="press", keys="3", state=data["state"]).json()
    assert data["events"][-1]["menu"] == "Help desk"
    data = step(staff_client, action="press", keys="1", state=data["state"]).json()
    assert data["events"][-1]["menu"] == "Planet directory"


def test_silence_three_times_ends_the_call_with_goodbye(staff_client, demo):
    data = step(staff_client, action="start").json()
    for _ in range(3):
        data = step(staff_client, action="silence", state=data["state"]).json()
    assert data["state"] is None
    assert data["events"][-1] == {
        "kind": "ended",
        "line": "Call ends: the app hung up",
        "reason": "the app hung up",
    }
    said = [event["text"] for event in data["events"] if event["kind"] == "said"]
    assert said[-1].endswith("We did not get a choice from you. Goodbye, and safe travels.")


def test_the_webhooks_are_called_on_the_host_the_browser_used(demo, staff):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    (requested, *_) = step(client, action="start").json()["events"]
    assert requested["url"] == "http://127.0.0.1/ivr/welcome"


def test_an_app_that_answers_badly_is_reported_as_the_calls_error(staff_client, demo, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    data = step(staff_client, action="start").json()
    assert data["state"] is None
    assert "answered HTTP 403" in data["error"]
    assert data["events"][-1]["kind"] == "failed"


def test_a_tampered_state_is_refused(staff_client, demo):
    state = step(staff_client, action="start").json()["state"]
    payload = signing.loads(state, salt=STATE_SALT)
    forged = signing.dumps({**payload, "url": "http://elsewhere/"}, salt="not-ours")
    response = step(staff_client, action="press", keys="1", state=forged)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "start a new one" in response.json()["error"]


def test_a_call_left_waiting_for_hours_cannot_go_on(staff_client, demo):
    payload = signing.loads(step(staff_client, action="start").json()["state"], salt=STATE_SALT)
    long_ago = time.time() - STATE_MAX_AGE_SECONDS - 60
    with patch("django.core.signing.time.time", return_value=long_ago):
        stale = signing.dumps(payload, salt=STATE_SALT, compress=True)
    fresh = signing.dumps(payload, salt=STATE_SALT, compress=True)
    assert step(staff_client, action="silence", state=fresh).status_code == HTTPStatus.OK
    response = step(staff_client, action="silence", state=stale)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "too old" in response.json()["error"]


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({}, id="no-action"),
        pytest.param({"action": "dance"}, id="unknown-action"),
        pytest.param({"action": "press", "keys": "12"}, id="two-keys"),
        pytest.param({"action": "press", "keys": "a"}, id="not-a-key"),
        pytest.param({"action": "press", "keys": 1}, id="number"),
        pytest.param({"action": "start", "dial_outcome": "maybe"}, id="bad-outcome"),
        pytest.param({"action": "silence"}, id="no-state"),
        pytest.param({"action": "silence", "state": "garbage"}, id="garbage-state"),
        pytest.param({"action": "say", "words": "  "}, id="no-words"),
        pytest.param({"action": "say", "words": 3}, id="words-not-text"),
        pytest.param({"action": "say", "words": "x" * 501}, id="too-many-words"),
        pytest.param({"action": "say", "words": "hi", "confidence": 1.5}, id="too-sure"),
        pytest.param({"action": "say", "words": "hi", "confidence": "high"}, id="confidence-text"),
        pytest.param({"action": "say", "words": "hi", "confidence": True}, id="confidence-bool"),
    ],
)
def test_a_malformed_step_is_a_bad_request(staff_client, demo, payload):
    response = step(staff_client, **payload)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]


def test_a_body_that_is_not_json_is_a_bad_request(staff_client):
    response = staff_client.post(STEP, "not json", content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
