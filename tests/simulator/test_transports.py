"""The simulator reaches the real webhooks signed as Twilio signs, in-process or over HTTP."""

import socket
from urllib.parse import parse_qsl, urlsplit

import pytest
from twilio.request_validator import RequestValidator

from simulator.events import Dialed, Said, Unreachable
from simulator.interpreter import Interpreter
from simulator.transports import InProcess, OverHttp, entry_url, in_process, twilio_request

pytestmark = pytest.mark.sqlite_run_only(
    reason="how the simulator reaches the webhooks (they run on PostgreSQL in tests/ivr)"
)

PARAMS = {"CallSid": "CA123", "Digits": "2", "From": "+15555550100"}


# Signing


def test_a_post_is_signed_over_its_url_and_form_fields():
    url, form, headers = twilio_request(
        "POST", "https://ivr.example.com/ivr/menu?a=1", PARAMS, token="secret"
    )
    assert (url, form) == ("https://ivr.example.com/ivr/menu?a=1", PARAMS)
    validator = RequestValidator("secret")
    assert validator.validate(url, PARAMS, headers["X-Twilio-Signature"]) is True
    assert validator.validate(url, {}, headers["X-Twilio-Signature"]) is False


def test_a_get_carries_its_parameters_in_the_query_and_signs_the_url_alone():
    url, form, headers = twilio_request(
        "GET", "https://ivr.example.com/ivr/menu?a=1", PARAMS, token="secret"
    )
    parts = urlsplit(url)
    assert parts.path == "/ivr/menu"
    assert parse_qsl(parts.query) == [("a", "1"), *PARAMS.items()]
    assert form == {}
    assert RequestValidator("secret").validate(url, {}, headers["X-Twilio-Signature"]) is True


def test_without_a_token_requests_go_unsigned():
    _, _, headers = twilio_request("POST", "http://localhost/ivr/welcome", PARAMS, token="")
    assert "X-Twilio-Signature" not in headers


# In this process, against the real webhooks


def walk_2_then_3(transport, **kwargs):
    interpreter = Interpreter(transport, dial_outcome="busy")
    turn = interpreter.start(transport.entry_url, **kwargs)
    for keys in ("2", "3"):
        assert turn.error is None, turn.error
        turn = interpreter.press(turn.waiting, keys)
    return turn


def dialed(turn):
    return [event.target for event in turn.events if isinstance(event, Dialed)]


@pytest.mark.django_db
def test_signed_requests_walk_the_real_phone_tree_to_dagobah(demo, settings):
    settings.TWILIO_AUTH_TOKEN = "test-token"
    turn = walk_2_then_3(in_process())
    assert turn.error is None
    assert dialed(turn) == ["+17262043675"]
    assert Said("We could not reach the planet DuhGo bah.", "alice", "en-GB") in turn.events


@pytest.mark.django_db
def test_a_signed_get_entry_request_is_accepted_too(demo, settings):
    settings.TWILIO_AUTH_TOKEN = "test-token"
    turn = walk_2_then_3(in_process(), method="GET")
    assert dialed(turn) == ["+17262043675"]


@pytest.mark.django_db
def test_requests_signed_with_another_token_are_refused(demo, settings):
    transport = in_process()
    transport.token = "not-the-apps-token"
    turn = Interpreter(transport).start(transport.entry_url)
    assert "answered HTTP 403" in turn.error
    assert "needs the TWILIO_AUTH_TOKEN the simulator has" in turn.error


@pytest.mark.django_db
def test_without_a_token_unsigned_requests_pass_when_validation_is_off(demo, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_VALIDATE_SIGNATURES = False
    assert dialed(walk_2_then_3(in_process())) == ["+17262043675"]


@pytest.mark.django_db
def test_without_a_token_the_refusal_says_what_to_set(demo, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    transport = in_process()
    turn = Interpreter(transport).start(transport.entry_url)
    assert "answered HTTP 403" in turn.error
    assert "TWILIO_AUTH_TOKEN, which is not set" in turn.error


@pytest.mark.django_db
def test_behind_a_public_base_url_that_url_is_the_one_signed(demo, settings):
    settings.PUBLIC_BASE_URL = "https://ivr.example.com"
    transport = in_process()
    assert transport.entry_url == "https://ivr.example.com/ivr/welcome"
    # ivr.example.com is not an allowed host here, so the request itself goes to localhost.
    assert transport.host == "localhost"
    assert dialed(walk_2_then_3(transport)) == ["+17262043675"]


@pytest.mark.django_db
def test_the_public_hosts_own_name_is_used_when_it_is_allowed(demo, settings):
    settings.PUBLIC_BASE_URL = "https://ivr.example.com"
    settings.ALLOWED_HOSTS = ["ivr.example.com"]
    transport = in_process()
    assert (transport.host, transport.secure) == ("ivr.example.com", True)
    assert dialed(walk_2_then_3(transport)) == ["+17262043675"]


@pytest.mark.django_db
def test_without_a_public_base_url_an_allowed_host_is_signed_and_sent(demo, settings):
    settings.ALLOWED_HOSTS = ["ivr.example.com"]
    transport = in_process()
    assert transport.entry_url == "http://ivr.example.com/ivr/welcome"
    assert dialed(walk_2_then_3(transport)) == ["+17262043675"]


def test_in_process_refuses_urls_of_other_servers():
    transport = InProcess(base_url="http://localhost", host="localhost", secure=False, token="")
    with pytest.raises(Unreachable, match="not on this app"):
        transport("POST", "http://localhost.evil.example/ivr/welcome", {})


def test_in_process_enforces_csrf_like_any_outside_request(db):
    transport = InProcess(base_url="http://localhost", host="localhost", secure=False, token="")
    admin_login = transport("POST", "http://localhost/admin/login/", {"username": "x"})
    assert admin_login.status == 403


# Over HTTP, against a running server


@pytest.mark.django_db(transaction=True)
def test_over_http_signed_requests_walk_a_running_server(live_server, demo, settings):
    settings.TWILIO_AUTH_TOKEN = "test-token"
    interpreter = Interpreter(OverHttp(token="test-token"), dial_outcome="busy")
    turn = interpreter.start(entry_url(live_server.url))
    for keys in ("2", "3"):
        turn = interpreter.press(turn.waiting, keys)
    assert turn.error is None
    assert dialed(turn) == ["+17262043675"]


@pytest.mark.django_db(transaction=True)
def test_over_http_a_wrong_token_is_refused_with_a_hint(live_server, demo):
    turn = Interpreter(OverHttp(token="wrong")).start(entry_url(live_server.url))
    assert "answered HTTP 403" in turn.error
    assert "TWILIO_AUTH_TOKEN" in turn.error


@pytest.mark.django_db(transaction=True)
def test_over_http_redirects_are_reported_not_followed(live_server):
    turn = Interpreter(OverHttp(token="t")).start(live_server.url + "/admin/", method="GET")
    assert "answered HTTP 302" in turn.error
    assert "It redirects to /admin/login/?next=/admin/" in turn.error


def test_over_http_a_closed_port_is_no_answer():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    turn = Interpreter(OverHttp(token="", timeout=5)).start(f"http://127.0.0.1:{port}/ivr/welcome")
    assert "got no answer" in turn.error


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/ivr/welcome"])
def test_over_http_only_http_urls_are_requested(url):
    with pytest.raises(Unreachable, match="not an http or https URL"):
        OverHttp(token="")("POST", url, {})


@pytest.mark.parametrize(
    ("given", "entry"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/ivr/welcome"),
        ("https://ivr.example.com/", "https://ivr.example.com/ivr/welcome"),
        ("https://ivr.example.com/ivr/menu", "https://ivr.example.com/ivr/menu"),
    ],
)
def test_a_bare_server_address_is_called_at_its_welcome_step(given, entry):
    assert entry_url(given) == entry
