"""Twilio's Debugger posts its reports to /ivr/debugger: signed like every webhook, each kept
once per Sid, a report of a code we do not know kept as it is, anything else refused."""

import json
import logging
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.db import OperationalError

from debugger.models import Report
from tests.conftest import sign
from tests.debugger.reports import CALL_SID, payload, post, report
from tests.metrics.test_metrics import TOKEN, scrape, value

pytestmark = pytest.mark.django_db

URL = "http://localhost/ivr/debugger"


def test_a_report_is_kept_with_what_twilio_called_and_what_it_got(client):
    response = post(client)

    assert response.status_code == HTTPStatus.OK
    assert ET.fromstring(response.content).tag == "Response"  # empty TwiML
    kept = Report.objects.get()
    assert (kept.sid, kept.level, kept.error_code) == ("NO" + "a" * 32, "error", "11200")
    assert kept.occurred_at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert (kept.url, kept.method) == ("https://ivr.example.com/ivr/menu?step=2", "POST")
    assert kept.response_status == 502
    assert kept.response_body == "<html><body>502 Bad Gateway</body></html>"
    assert kept.resource_sid == CALL_SID
    assert kept.raw["AccountSid"] == "AC" + "2" * 32
    assert kept.raw["Payload"] == payload()


def test_a_report_twilio_sends_again_is_kept_once(client):
    for _ in range(3):
        assert post(client).status_code == HTTPStatus.OK
    post(client, report(sid="NO" + "b" * 32))

    assert Report.objects.count() == 2


def test_a_report_with_a_code_we_do_not_know_is_kept_as_it_is(client):
    post(client, report(Level="Warning", Payload=json.dumps(payload(error_code="99999x"))))

    kept = Report.objects.get()
    assert (kept.level, kept.error_code, kept.meaning) == ("warning", "99999x", "")


def test_a_report_without_a_code_or_a_webhook_is_kept(client):
    post(client, report(Payload=json.dumps({"resource_sid": CALL_SID})))

    kept = Report.objects.get()
    assert (kept.error_code, kept.url, kept.response_status) == ("", "", None)


@pytest.mark.parametrize(
    ("form", "why"),
    [
        (report(Sid=None), "Sid is missing"),
        (report(Sid="NO../../etc"), "Sid is missing or is not a Twilio Sid"),
        (report(Level=None), "Level is missing"),
        (report(Level="Debug"), "Level is missing or is not Error or Warning"),
        (report(Payload=None), "Payload is missing"),
        (report(Payload="{not json"), "Payload is missing or is not JSON"),
        (report(Payload='{"error_code": NaN}'), "Payload is missing or is not JSON"),
        (report(Payload="[1, 2]"), "Payload is not a JSON object"),
    ],
    ids=["no-sid", "bad-sid", "no-level", "debug", "no-payload", "not-json", "nan", "array"],
)
def test_a_signed_request_that_is_not_a_report_is_refused_and_nothing_kept(
    client, caplog, form, why
):
    with caplog.at_level(logging.WARNING, logger="ivr"):
        response = post(client, form)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert why in response.content.decode()
    assert Report.objects.count() == 0
    assert f"Refused a Debugger report: {why}" in caplog.text


def test_an_unsigned_forged_or_tampered_report_is_refused_like_any_webhook(unsigned_client, caplog):
    def post_signed(signature):
        extra = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
        return unsigned_client.post("/ivr/debugger", report(), **extra).status_code

    forged = sign(URL, report(), token="not-ours")
    tampered = sign(URL, report(Level="WARNING"))

    assert [post_signed(s) for s in (None, forged, tampered)] == [HTTPStatus.FORBIDDEN] * 3
    assert Report.objects.count() == 0
    assert "Refused a request to http://localhost/ivr/debugger" in caplog.text


def test_a_caller_number_in_the_url_twilio_called_is_left_out_of_the_url_column(client):
    request = payload()["webhook"]["request"] | {
        "url": "https://ivr.example.com/ivr/menu?step=2&From=%2B1929&Digits=2&SpeechResult=hi",
        "method": "get",
    }
    post(client, report(Payload=json.dumps(payload(webhook={"request": request}))))

    kept = Report.objects.get()
    assert (kept.url, kept.method) == ("https://ivr.example.com/ivr/menu?step=2&Digits=2", "GET")
    assert kept.raw["Payload"]["webhook"]["request"]["url"] == request["url"]  # all kept


def test_what_no_database_stores_is_cleaned_and_the_rest_kept(client):
    body = "<Response>\x00<Say>caf\udce9</Say></Response>"
    response = payload()["webhook"]["response"] | {"body": body}
    document = payload(webhook={"response": response}, error_code="12100")
    post(client, report(Payload=json.dumps(document)))

    kept = Report.objects.get()
    assert kept.response_body == "<Response><Say>caf</Say></Response>"
    assert kept.raw["Payload"]["webhook"]["response"]["body"] == kept.response_body


def test_an_answer_twilio_saw_is_kept_up_to_5000_characters(client):
    response = payload()["webhook"]["response"] | {"body": "x" * 70_000, "status_code": "200"}
    post(client, report(Payload=json.dumps(payload(webhook={"response": response}))))

    kept = Report.objects.get()
    assert (len(kept.response_body), kept.response_status) == (5_000, 200)
    assert len(kept.raw["Payload"]["webhook"]["response"]["body"]) == 70_000


def test_a_timestamp_twilio_did_not_send_is_the_time_it_arrived(client):
    before = datetime.now(UTC)
    post(client, report(Timestamp=None))

    assert Report.objects.get().occurred_at >= before


def test_a_report_the_database_cannot_take_is_answered_503_for_twilio_to_send_again(
    client, monkeypatch, caplog
):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(Report.objects, "get_or_create", locked)

    response = post(client)

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Could not keep a Debugger report" in caplog.text


def test_metrics_count_each_report_once_by_level_and_code(client, unsigned_client, settings):
    settings.METRICS_TOKEN = TOKEN
    reports = "etphone_twilio_debugger_reports_total"
    before = scrape(unsigned_client)

    post(client)
    post(client)  # Twilio sending it again
    post(client, report(sid="NO" + "c" * 32, Level="WARNING", Payload='{"error_code": "x"}'))
    post(client, report(Sid=None))

    after = scrape(unsigned_client)

    def added(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert added(reports, level="error", code="11200") == 1
    assert added(reports, level="warning", code="") == 1  # not a code: no label of its own
    assert added("etphone_webhook_requests_total", step="debugger", answer="refused") == 1
