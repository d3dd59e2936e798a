"""Only requests Twilio signed with our auth token reach the phone tree."""

import logging
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from directory.models import Planet
from ivr.checks import check_twilio_validation
from ivr.decorators import twilio_signature
from ivr.middleware import Parameters
from tests.conftest import TwilioClient, parse_twiml, sign

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.sqlite_run_only(
        reason="a signature is checked before any query (webhooks run on PostgreSQL in tests/ivr)"
    ),
]

PARAMS = {"CallSid": "CA123", "Digits": "2"}


def test_twilios_published_known_answer_vector():
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    signature = RequestValidator("12345").compute_signature(
        "https://mycompany.com/myapp.php?foo=1&bar=2", params
    )
    assert signature == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    # Ours, the one every webhook computes first.
    assert twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params) == (
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )


# Text as a form or a URL may carry it once decoded: any character but lone surrogates.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@given(
    token=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40),
    url=TEXT.map(lambda path: f"https://ivr.example.com/ivr/{path}"),
    params=st.dictionaries(TEXT, TEXT, max_size=12),
)
def test_our_signature_is_the_twilio_librarys(token, url, params):
    assert twilio_signature(token, url, Parameters(params)) == RequestValidator(
        token
    ).compute_signature(url, Parameters(params))


def test_a_signed_post_is_answered(unsigned_client, demo):
    signature = sign("http://localhost/ivr/menu", PARAMS)
    response = unsigned_client.post("/ivr/menu", PARAMS, HTTP_X_TWILIO_SIGNATURE=signature)
    assert parse_twiml(response).find("Gather") is not None


def test_a_signed_get_is_answered_with_its_parameters_only_in_the_url(unsigned_client, demo):
    url = "/ivr/menu?CallSid=CA123&Digits=2"
    signature = sign(f"http://localhost{url}")
    response = unsigned_client.get(url, HTTP_X_TWILIO_SIGNATURE=signature)
    assert parse_twiml(response).find("Gather") is not None


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("bm90IGEgc2lnbmF0dXJl", id="garbage"),
        pytest.param(sign("http://localhost/ivr/menu", PARAMS, token="wrong"), id="wrong-token"),
        pytest.param(
            sign("http://localhost/ivr/menu", {**PARAMS, "Digits": "1"}), id="tampered-param"
        ),
        pytest.param(sign("http://localhost/ivr/welcome", PARAMS), id="other-url"),
    ],
)
def test_an_unsigned_or_forged_request_is_refused_without_twiml(
    unsigned_client, demo, caplog, signature
):
    headers = {} if signature is None else {"HTTP_X_TWILIO_SIGNATURE": signature}
    with caplog.at_level(logging.WARNING, logger="ivr"):
        response = unsigned_client.post("/ivr/menu", PARAMS, **headers)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert b"Response" not in response.content
    assert b"Planet" not in response.content
    (record,) = [r for r in caplog.records if r.name == "ivr"]
    assert record.levelno == logging.WARNING
    assert "http://localhost/ivr/menu" in record.getMessage()
    assert "test-auth-token" not in record.getMessage()


def test_a_forged_get_is_refused(unsigned_client, demo):
    url = "/ivr/planets?Digits=3"
    signature = sign("http://localhost/ivr/planets?Digits=4")
    response = unsigned_client.get(url, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_get_signature_covers_nothing_appended_to_the_url(unsigned_client, demo):
    # Twilio signs a GET's URL alone; a check that also appended parameters would refuse it.
    url = "/ivr/menu?Digits=2"
    response = unsigned_client.get(url, HTTP_X_TWILIO_SIGNATURE=sign(f"http://localhost{url}"))
    assert response.status_code == HTTPStatus.OK


def test_validation_is_on_whatever_debug_says(unsigned_client, demo, settings):
    settings.DEBUG = True
    assert unsigned_client.post("/ivr/welcome").status_code == HTTPStatus.FORBIDDEN


def test_validation_without_a_token_refuses_everything(client, demo, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    response = client.post("/ivr/welcome", HTTP_X_TWILIO_SIGNATURE=sign("http://localhost/x"))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_validation_can_be_switched_off_explicitly_for_local_work(unsigned_client, demo, settings):
    settings.TWILIO_VALIDATE_SIGNATURES = False
    assert parse_twiml(unsigned_client.post("/ivr/welcome")).find("Gather") is not None


def test_switching_validation_off_warns_at_every_start(settings):
    settings.TWILIO_VALIDATE_SIGNATURES = False
    assert [message.id for message in check_twilio_validation(None)] == ["ivr.W001"]


def test_no_token_with_debug_off_is_an_error_that_stops_the_server(settings):
    settings.DEBUG, settings.TWILIO_AUTH_TOKEN = False, ""
    (message,) = check_twilio_validation(None)
    assert message.id == "ivr.E001"
    assert message.is_serious()
    assert "TWILIO_AUTH_TOKEN" in message.msg


def test_no_token_with_debug_off_is_an_error_even_with_validation_switched_off(settings):
    settings.DEBUG, settings.TWILIO_AUTH_TOKEN = False, ""
    settings.TWILIO_VALIDATE_SIGNATURES = False
    ids = [message.id for message in check_twilio_validation(None)]
    assert ids == ["ivr.W001", "ivr.E001"]


def test_no_token_with_debug_on_is_a_warning(settings):
    settings.DEBUG, settings.TWILIO_AUTH_TOKEN = True, ""
    assert [message.id for message in check_twilio_validation(None)] == ["ivr.W002"]


def test_a_configured_token_passes_the_checks(settings):
    assert check_twilio_validation(None) == []


# The URL that is checked is the one Twilio requested.


def test_https_behind_a_tls_proxy_is_checked_as_https(unsigned_client, demo, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    signature = sign("https://localhost/ivr/welcome")
    response = unsigned_client.post(
        "/ivr/welcome", HTTP_X_FORWARDED_PROTO="https", HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == HTTPStatus.OK


def test_an_https_signature_fails_when_the_proxy_header_is_not_configured(unsigned_client, demo):
    signature = sign("https://localhost/ivr/welcome")
    response = unsigned_client.post(
        "/ivr/welcome", HTTP_X_FORWARDED_PROTO="https", HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_an_http_signature_fails_when_the_proxy_says_https(unsigned_client, demo, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    signature = sign("http://localhost/ivr/welcome")
    response = unsigned_client.post(
        "/ivr/welcome", HTTP_X_FORWARDED_PROTO="https", HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_public_base_url_wins_over_the_requests_own_host(unsigned_client, demo, settings):
    settings.PUBLIC_BASE_URL = "https://ivr.example.com"
    signature = sign("https://ivr.example.com/ivr/welcome")
    response = unsigned_client.post("/ivr/welcome", HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == HTTPStatus.OK
    forged = sign("http://localhost/ivr/welcome")
    assert (
        unsigned_client.post("/ivr/welcome", HTTP_X_TWILIO_SIGNATURE=forged).status_code
        == HTTPStatus.FORBIDDEN
    )


@pytest.mark.parametrize(
    ("host", "signed_url"),
    [
        ("localhost:8000", "http://localhost:8000/ivr/welcome"),
        ("localhost:8000", "http://localhost/ivr/welcome"),
        ("localhost", "http://localhost:80/ivr/welcome"),
    ],
    ids=["port-in-both", "port-only-in-host", "port-only-in-signature"],
)
def test_signatures_with_and_without_an_explicit_port_are_accepted(
    unsigned_client, demo, host, signed_url
):
    response = unsigned_client.post(
        "/ivr/welcome", HTTP_HOST=host, HTTP_X_TWILIO_SIGNATURE=sign(signed_url)
    )
    assert response.status_code == HTTPStatus.OK


def test_https_on_port_443_is_accepted_with_and_without_the_port(unsigned_client, demo, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for signed in ["https://localhost:443/ivr/welcome", "https://localhost/ivr/welcome"]:
        response = unsigned_client.post(
            "/ivr/welcome", HTTP_X_FORWARDED_PROTO="https", HTTP_X_TWILIO_SIGNATURE=sign(signed)
        )
        assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "query",
    ["attempts=1&z=%7E", "z=2&attempts=1", "attempts=1&note=a%20b+c", "attempts=1&x=%C3%A9"],
)
def test_the_query_string_is_checked_byte_for_byte(unsigned_client, demo, query):
    url = f"/ivr/welcome?{query}"
    signature = sign(f"http://localhost{url}", PARAMS)
    response = unsigned_client.post(url, PARAMS, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == HTTPStatus.OK


def emitted_urls(root) -> list[str]:
    return [el.get("action") for el in root.iter() if el.get("action")] + [
        el.text for el in root.iter("Redirect")
    ]


def test_every_url_the_app_emits_is_accepted_when_twilio_signs_it(demo):
    """Walk the tree over https behind a proxy, as Twilio would, following every URL we emit."""
    client = TwilioClient()
    dagobah = Planet.objects.get(name="Dagobah")
    seen, queue = set(), [reverse("ivr:welcome")]
    inputs = [{}, {"Digits": "1"}, {"Digits": "2"}, {"Digits": "3"}, {"Digits": "9"}]
    inputs += [{"Digits": "*"}, {"DialCallStatus": "busy"}, {"DialCallStatus": "completed"}]
    while queue:
        url = queue.pop()
        # Every URL carries the step's number; past a few steps the URLs only repeat in shape.
        if url in seen or int(parse_qs(urlsplit(url).query).get("step", ["0"])[0]) > 4:
            continue
        seen.add(url)
        for params in inputs:
            response = client.post(url, params)
            assert response.status_code == HTTPStatus.OK, (url, params, response.status_code)
            for emitted in emitted_urls(parse_twiml(response)):
                query = urlsplit(emitted).query
                if query:
                    assert query.split("&") == sorted(query.split("&")), emitted
                queue.append(emitted)
    assert f"{reverse('ivr:dialed')}?planet={dagobah.pk}&step=3" in seen
    assert len(seen) > 6


def test_the_local_development_token_stops_a_production_server(settings):
    settings.DEBUG, settings.TWILIO_AUTH_TOKEN = False, "local-development-only-0123abcd"
    (message,) = check_twilio_validation(None)
    assert message.id == "ivr.E003"
    assert message.is_serious()


def test_the_local_development_token_is_fine_while_debugging(settings):
    settings.DEBUG, settings.TWILIO_AUTH_TOKEN = True, "local-development-only-0123abcd"
    assert check_twilio_validation(None) == []


def test_a_name_sent_twice_is_signed_over_both_values_and_its_last_value_counts(
    unsigned_client, demo
):
    # Webhooks read their parameters as plain dicts; a repeated name is read as a QueryDict
    # reads it (ivr.middleware), so the signature covers both values and Digits is the last.
    params = {"CallSid": "CA123", "Digits": ["1", "2"]}
    body = "CallSid=CA123&Digits=1&Digits=2"

    def post(signature):
        return unsigned_client.post(
            "/ivr/menu",
            body,
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature,
        )

    response = post(sign("http://localhost/ivr/menu", params))
    assert parse_twiml(response).find("Gather").get("action").startswith("/ivr/planets")
    only_last = sign("http://localhost/ivr/menu", {"CallSid": "CA123", "Digits": "2"})
    assert post(only_last).status_code == HTTPStatus.FORBIDDEN


def test_a_name_sent_twice_is_checked_against_the_url_as_requested(unsigned_client, demo, settings):
    # validate() alone would check the URL as urllib rebuilds it, here with "https" in lower
    # case, and refuse what Twilio signed.
    settings.PUBLIC_BASE_URL = "HTTPS://ivr.example.com"
    params = {"CallSid": "CA123", "Digits": ["1", "2"]}
    response = unsigned_client.post(
        "/ivr/menu",
        "CallSid=CA123&Digits=1&Digits=2",
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=sign("HTTPS://ivr.example.com/ivr/menu", params),
    )
    parse_twiml(response)


def test_a_query_with_a_name_twice_keeps_its_last_value(client, demo):
    # A wrong key at the planet directory: after attempts=0 it is the first miss (attempts=2 would
    # make it the last, and the caller would hear goodbye).
    wrong = {"CallSid": "CA123", "Digits": "9"}
    root = parse_twiml(client.post("/ivr/planets?attempts=2&attempts=0&step=2", wrong))
    assert parse_qs(urlsplit(root.find("Gather").get("action")).query)["attempts"] == ["1"]


def test_a_form_that_is_not_utf8_is_read_as_latin1_as_django_does(unsigned_client, demo):
    body = b"CallSid=CA123&Digits=2&SpeechResult=caf\xe9"
    signature = sign(
        "http://localhost/ivr/menu", {"CallSid": "CA123", "Digits": "2", "SpeechResult": "café"}
    )
    response = unsigned_client.post(
        "/ivr/menu",
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert parse_twiml(response).find("Gather").get("action").startswith("/ivr/planets")
