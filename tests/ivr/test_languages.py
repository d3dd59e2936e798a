"""The webhooks answer Twilio the same whatever language a request prefers."""

import pytest
from django.urls import reverse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.sqlite_run_only(
        reason="the request's preferred language is ignored before the database is asked"
    ),
]

STEPS = [("ivr:welcome", {}), ("ivr:menu", {"Digits": "2"}), ("ivr:planets", {"Digits": "9"})]


@pytest.mark.parametrize(("step", "params"), STEPS)
def test_a_webhook_ignores_accept_language_and_the_language_cookie(client, demo, step, params):
    english = client.post(reverse(step), params)
    client.cookies["django_language"] = "ja"
    japanese = client.post(reverse(step), params, HTTP_ACCEPT_LANGUAGE="ja")
    assert japanese.content == english.content
    for response in (english, japanese):
        assert "Accept-Language" not in response.get("Vary", "")
        assert not response.has_header("Content-Language")


def test_an_unknown_ivr_url_is_not_redirected_to_a_language(client, demo):
    response = client.post("/ivr/nowhere", HTTP_ACCEPT_LANGUAGE="ja")
    assert not (300 <= response.status_code < 400)
