"""Webhooks under /ivr/ skip the middleware meant for people's browsers; pages keep all of it."""

from http import HTTPStatus

import pytest

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
