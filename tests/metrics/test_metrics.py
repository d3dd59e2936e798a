"""/metrics: private behind a bearer token, and counting what happens on the line."""

from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import OperationalError, connection
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(unsigned_client) -> dict:
    """Every sample /metrics serves: (name, sorted labels) -> value."""
    response = unsigned_client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_without_a_token_set_metrics_is_not_there(unsigned_client, settings):
    settings.METRICS_TOKEN = ""
    response = unsigned_client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN],
)
def test_anything_but_the_bearer_token_is_refused(unsigned_client, token, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = unsigned_client.get(reverse("metrics"), **headers)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"etphone_" not in response.content


def test_only_get_is_answered(unsigned_client, token):
    response = unsigned_client.post(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_check_deploy_warns_when_metrics_are_on_without_https(settings, token):
    settings.SECURE_SSL_REDIRECT = False
    with pytest.raises(SystemCheckError, match="metrics.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")


def test_check_deploy_is_quiet_about_metrics_over_https_or_off(settings):
    from metrics.checks import check_metrics_over_https

    settings.METRICS_TOKEN, settings.SECURE_SSL_REDIRECT = TOKEN, True
    assert check_metrics_over_https(None) == []
    settings.METRICS_TOKEN, settings.SECURE_SSL_REDIRECT = "", False
    assert check_metrics_over_https(None) == []


@pytest.mark.django_db
def test_a_call_is_counted_by_step_answer_number_and_menu(client, unsigned_client, demo, token):
    before = scrape(unsigned_client)
    call = {"CallSid": "CAmetrics1", "From": "+15005550006", "To": "+15005550001"}
    client.post(reverse("ivr:welcome"), call)
    client.post(reverse("ivr:menu"), {**call, "Digits": "2"})
    client.post(reverse("ivr:menu"), {**call, "Digits": "7"})
    client.post(reverse("ivr:dialed"), {**call, "DialCallStatus": "busy"})
    after = scrape(unsigned_client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("etphone_webhook_requests_total", step="welcome", answer="twiml") == 1
    assert grew("etphone_webhook_requests_total", step="menu", answer="twiml") == 2
    assert grew("etphone_webhook_duration_seconds_count", step="menu") == 2
    assert grew("etphone_webhook_duration_seconds_bucket", step="menu", le="+Inf") == 2
    assert grew("etphone_calls_started_total", called_number="+15005550001") == 1
    chose = {"menu": "main", "language": "en-GB", "outcome": "chose", "key": "2"}
    assert grew("etphone_menu_answers_total", **chose) == 1
    wrong = {"menu": "main", "language": "en-GB", "outcome": "wrong_key", "key": ""}
    assert grew("etphone_menu_answers_total", **wrong) == 1
    assert grew("etphone_dials_total", outcome="busy") == 1
    # Never a caller's number, nor a CallSid, in any label.
    text = "".join(str(key) for key in after)
    assert "+15005550006" not in text
    assert "CAmetrics1" not in text


@pytest.mark.django_db
def test_a_number_that_is_not_a_phone_number_is_counted_as_other(
    client, unsigned_client, demo, token
):
    before = value(scrape(unsigned_client), "etphone_calls_started_total", called_number="other")
    client.post(reverse("ivr:welcome"), {"CallSid": "CAm2", "To": "client:anna"})
    after = value(scrape(unsigned_client), "etphone_calls_started_total", called_number="other")
    assert after - before == 1


@pytest.mark.django_db
def test_refused_signatures_and_apologies_are_counted(client, unsigned_client, demo, token):
    refused = {"step": "welcome", "answer": "signature_refused"}
    apology = {"step": "planets", "answer": "apology"}
    before = scrape(unsigned_client)
    assert unsigned_client.post(reverse("ivr:welcome")).status_code == HTTPStatus.FORBIDDEN

    def database_is_down(execute, sql, params, many, context):
        raise OperationalError("database is locked")

    with connection.execute_wrapper(database_is_down):
        client.post(reverse("ivr:planets"), {"CallSid": "CAm3", "Digits": "3"})
    after = scrape(unsigned_client)
    for labels in (refused, apology):
        name = "etphone_webhook_requests_total"
        assert value(after, name, **labels) - value(before, name, **labels) == 1


@pytest.mark.django_db
def test_a_fallback_replay_is_counted_as_one(client, unsigned_client, demo, token):
    labels = {"step": "fallback", "answer": "fallback_replay"}
    before = value(scrape(unsigned_client), "etphone_webhook_requests_total", **labels)
    error_url = "http://localhost" + reverse("ivr:welcome")
    client.post(reverse("ivr:fallback"), {"CallSid": "CAm4", "ErrorUrl": error_url})
    after = value(scrape(unsigned_client), "etphone_webhook_requests_total", **labels)
    assert after - before == 1


@pytest.mark.django_db
def test_speech_is_counted_by_what_it_meant(client, unsigned_client, demo, token):
    call = {"CallSid": "CAm5", "Confidence": "0.9"}
    before = scrape(unsigned_client)
    client.post(reverse("ivr:menu"), {**call, "SpeechResult": "directions"})
    client.post(reverse("ivr:menu"), {**call, "SpeechResult": "purple elephants"})
    after = scrape(unsigned_client)
    for result in ("understood", "not_understood"):
        labels = {"language": "en-GB", "result": result}
        grew = value(after, "etphone_speech_total", **labels) - value(
            before, "etphone_speech_total", **labels
        )
        assert grew == 1, result


@pytest.mark.django_db
def test_the_directory_revision_in_use_is_served(client, unsigned_client, demo, token):
    from directory.selectors import revision_get

    client.post(reverse("ivr:welcome"), {"CallSid": "CAm6"})
    served = value(scrape(unsigned_client), "etphone_directory_revision")
    assert served == revision_get() % 2**53


@pytest.mark.django_db
def test_the_simulators_calls_are_not_counted_as_callers(client, unsigned_client, demo, token):
    from twilio_api.client import SIMULATED_ACCOUNT_SID

    labels = {"called_number": "+15005550009"}
    before = scrape(unsigned_client)
    call = {"CallSid": "CAsim", "To": "+15005550009", "AccountSid": SIMULATED_ACCOUNT_SID}
    client.post(reverse("ivr:welcome"), call)
    after = scrape(unsigned_client)
    assert value(after, "etphone_calls_started_total", **labels) == value(
        before, "etphone_calls_started_total", **labels
    )
    # The request itself is the server's work all the same.
    requests = {"step": "welcome", "answer": "twiml"}
    assert value(after, "etphone_webhook_requests_total", **requests) == 1 + value(
        before, "etphone_webhook_requests_total", **requests
    )
