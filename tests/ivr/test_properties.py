"""Property: whatever parameters arrive, a webhook answers TwiML, or 403 when unsigned."""

from http import HTTPStatus
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ivr import urls as ivr_urls
from tests.conftest import TwilioClient

pytestmark = pytest.mark.django_db

# Every webhook ivr/urls.py names, and any other /ivr/ URL.
ENDPOINTS = [
    reverse(f"ivr:{pattern.name}")
    for pattern in ivr_urls.urlpatterns
    if pattern.name != "elsewhere"
] + ["/ivr/somewhere/else"]
DEBUGGER = reverse("ivr:debugger")

# Any unicode but surrogates, which cannot be encoded into a request at all.
text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
digits = st.text(st.characters(blacklist_categories=["Cs"]), max_size=10_240)
keys = (
    st.sampled_from(["Digits", "CallSid", "DialCallStatus", "From", "attempts", "SpeechResult"])
    | text
)
params = st.lists(st.tuples(keys, digits | text), max_size=6)
query = st.dictionaries(
    st.sampled_from(["attempts", "planet", "lang", "step", "x"]), text, max_size=2
)

settings = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def as_form(pairs):
    form = {}
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    return form


@settings
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    pairs=params,
    query=query,
    method=st.sampled_from(["get", "post"]),
)
def test_any_parameters_get_a_twiml_response(demo, django_settings, endpoint, pairs, query, method):
    django_settings.TWILIO_VALIDATE_SIGNATURES = False
    client = TwilioClient()
    url = endpoint + (f"?{urlencode(query)}" if query else "")
    response = getattr(client, method)(url, as_form(pairs))
    if endpoint == DEBUGGER and response.status_code == HTTPStatus.BAD_REQUEST:
        # Twilio's Debugger reports are no call: one that is not a report is refused, saying why.
        assert response["Content-Type"].startswith("text/plain")
        return
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/xml")
    assert ET.fromstring(response.content).tag == "Response"


@settings
@given(endpoint=st.sampled_from(ENDPOINTS), pairs=params, method=st.sampled_from(["get", "post"]))
def test_any_unsigned_parameters_are_refused(demo, unsigned_client, endpoint, pairs, method):
    response = getattr(unsigned_client, method)(endpoint, as_form(pairs))
    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_webhook_refuses_a_form_without_a_valid_signature(demo, unsigned_client, endpoint):
    body = "CallSid=CA1&Digits=1&RecordingSid=RE" + "0" * 32
    for signature in ({}, {"HTTP_X_TWILIO_SIGNATURE": "bm90IGEgc2lnbmF0dXJl"}):
        response = unsigned_client.post(
            endpoint, body, content_type="application/x-www-form-urlencoded", **signature
        )
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert response.content == b""


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "head"])
def test_methods_other_than_get_and_post_are_not_allowed(client, demo, endpoint, method):
    response = getattr(client, method)(endpoint)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


LISTENING = [reverse("ivr:menu"), reverse("ivr:planets"), reverse("ivr:confirm")]
# What a recogniser might send, and what a forger might: names, filler, numbers, any script.
words = st.lists(
    st.sampled_from(["Dagobah", "ダゴバ", "だごば", "惑星", "three", "3", "please", "yes", "no"])
    | st.text(st.sampled_from(list("dagobh ダゴバ\x00\r\n\u200b🚀<&'\"")), max_size=8),
    max_size=8,
).map(" ".join)
said = words | st.text(st.characters(blacklist_categories=["Cs"]), max_size=2_000)
confidence = st.none() | st.sampled_from(["0.9", "0", "1e308", "nan", "-inf", "x"]) | text


@settings
@given(
    endpoint=st.sampled_from(LISTENING),
    heard=said,
    confidence=confidence,
    lang=st.sampled_from(["", "lang=ja-JP", "lang=ja-JP&planet=2", "planet=99"]),
)
def test_any_speech_result_gets_valid_twiml(
    demo, django_settings, endpoint, heard, confidence, lang
):
    django_settings.TWILIO_VALIDATE_SIGNATURES = False
    form = {"SpeechResult": heard, "CallSid": "CA1"}
    if confidence is not None:
        form["Confidence"] = confidence
    response = TwilioClient().post(f"{endpoint}?{lang}", form)
    assert response.status_code == HTTPStatus.OK
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    # Never the apology: speech is input, not a failure on our side.
    assert all(say.text != django_settings.IVR_APOLOGY for say in root.iter("Say"))


@pytest.mark.parametrize("endpoint", LISTENING)
@pytest.mark.parametrize(
    "heard",
    [
        pytest.param("", id="empty"),
        pytest.param("Dagobah " * 150_000, id="1MB"),
        pytest.param("\x00\x07\x1b[31m\r\n", id="control"),
        pytest.param("Дагоба مرحبا 🚀", id="other-scripts"),
    ],
)
def test_extreme_speech_results_get_valid_twiml(client, demo, endpoint, heard):
    response = client.post(endpoint, {"SpeechResult": heard, "Confidence": "0.9"})
    assert response.status_code == HTTPStatus.OK
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    # It re-prompts (a gather, or a redirect to the greeting) or dials.
    assert {child.tag for child in root} & {"Gather", "Redirect", "Dial"}
