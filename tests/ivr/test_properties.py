"""Property: whatever parameters arrive, a webhook answers TwiML, or 403 when unsigned."""

from http import HTTPStatus
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import TwilioClient

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    reverse("ivr:welcome"),
    reverse("ivr:menu"),
    reverse("ivr:planets"),
    reverse("ivr:dialed"),
    reverse("ivr:fallback"),
    reverse("ivr:status"),
    "/ivr/somewhere/else",
]

# Any unicode but surrogates, which cannot be encoded into a request at all.
text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
digits = st.text(st.characters(blacklist_categories=["Cs"]), max_size=10_240)
keys = st.sampled_from(["Digits", "CallSid", "DialCallStatus", "From", "attempts"]) | text
params = st.lists(st.tuples(keys, digits | text), max_size=6)
query = st.dictionaries(st.sampled_from(["attempts", "planet", "x"]), text, max_size=2)

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
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/xml")
    assert ET.fromstring(response.content).tag == "Response"


@settings
@given(endpoint=st.sampled_from(ENDPOINTS), pairs=params, method=st.sampled_from(["get", "post"]))
def test_any_unsigned_parameters_are_refused(demo, unsigned_client, endpoint, pairs, method):
    response = getattr(unsigned_client, method)(endpoint, as_form(pairs))
    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "head"])
def test_methods_other_than_get_and_post_are_not_allowed(client, demo, endpoint, method):
    response = getattr(client, method)(endpoint)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
