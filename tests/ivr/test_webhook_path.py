"""Webhooks under /ivr/ skip the middleware meant for people's browsers; pages keep all of it."""

from http import HTTPStatus
from urllib.parse import parse_qsl

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from ivr.middleware import _parameters
from tests.conftest import TwilioClient, parse_twiml

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.sqlite_run_only(
        reason="which middleware a path passes through: decided by the URL, not the database"
    ),
]

BROWSER_HEADERS = ["X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Vary"]


def test_a_webhook_answers_without_the_browsers_middleware(client, demo):
    response = client.post("/ivr/welcome", {"CallSid": "CA1"})
    parse_twiml(response)
    assert [name for name in BROWSER_HEADERS if name in response] == []
    assert not response.cookies
    # What CommonMiddleware set, the webhook sets itself.
    assert response["Content-Length"] == str(len(response.content))


def test_a_page_keeps_the_whole_middleware(client):
    response = client.get("/admin/login/")
    assert response.status_code == HTTPStatus.OK
    assert [name for name in BROWSER_HEADERS if name not in response] == []
    assert "csrftoken" in response.cookies


@pytest.mark.parametrize("public_base_url", ["", "http://evil.example"])
def test_a_webhook_still_refuses_a_host_that_is_not_allowed(demo, django_settings, public_base_url):
    # Even when PUBLIC_BASE_URL names the URL Twilio signs, so the Host header is not read.
    django_settings.PUBLIC_BASE_URL = public_base_url
    response = TwilioClient(HTTP_HOST="evil.example").post("/ivr/welcome", {"CallSid": "CA1"})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def parse_qsl_read(raw: bytes, limit: int | None) -> dict | None:
    """What ivr.middleware read with urllib's parse_qsl(), before it read the pairs itself."""
    try:
        pairs = parse_qsl(raw.decode(), keep_blank_values=True, max_num_fields=limit)
    except ValueError:  # UnicodeDecodeError too
        return None
    return dict(pairs) if len(dict(pairs)) == len(pairs) else None


# Queries and forms of any shape: names, values, separators, escapes good and bad, "+" and
# text outside ASCII; and a few bytes that are not UTF-8.
PIECES = st.sampled_from(["&", "=", "+", "%", "%2B", "%20", "%e6%98%9f", "%zz", "%e6", "a", "ü"])
QUERY = st.lists(PIECES | st.text(max_size=4), max_size=12).map("".join)


@given(
    raw=QUERY.map(str.encode) | st.binary(max_size=20),
    limit=st.none() | st.integers(min_value=0, max_value=6),
)
def test_a_webhooks_parameters_are_read_as_parse_qsl_reads_them(raw, limit):
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=limit):
        read = _parameters(raw)
    assert (None if read is None else dict(read)) == parse_qsl_read(raw, limit)
