"""The WSGI handler (ivr/handler.py): a webhook is answered as Django's handler answers it,
without the request signals, and the database connection is still looked after."""

import xml.etree.ElementTree as ET
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test import RequestFactory

from ivr.handler import WebhookHandler
from tests.conftest import sign

CALL = {"CallSid": "CAhandler", "From": "+19295550123", "To": "+18005550100"}


def environ(path: str, params: dict | None = None) -> dict:
    """A signed Twilio webhook request as a WSGI server hands it to the application."""
    params = CALL if params is None else params
    factory = RequestFactory(HTTP_HOST="localhost")
    return factory.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=sign(f"http://localhost{path}", params),
    ).environ


def answered(application, environ: dict) -> tuple[str, list, bytes]:
    """What a WSGI server sends back: status, headers and body, the response closed after."""
    started = {}

    def start_response(status, headers):
        started.update(status=status, headers=headers)

    result = application(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return started["status"], started["headers"], body


@contextmanager
def signals_sent():
    sent = []

    def started(**kwargs):
        sent.append("started")

    def finished(**kwargs):
        sent.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        yield sent
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)


@pytest.mark.django_db(transaction=True)
def test_a_webhook_is_answered_as_djangos_handler_answers_it_without_the_signals(demo):
    with signals_sent() as sent:
        ours = answered(WebhookHandler(), environ("/ivr/welcome"))
    assert sent == []
    status, headers, body = ours
    assert status == "200 OK"
    assert ET.fromstring(body).tag == "Response"
    assert ("Content-Length", str(len(body))) in headers
    assert ("Content-Type", "text/xml; charset=utf-8") in headers
    # The next call, through Django's own handler: the same bytes, the same headers.
    djangos = answered(WSGIHandler(), environ("/ivr/welcome", {**CALL, "CallSid": "CAhandler2"}))
    assert djangos == ours


@pytest.mark.django_db(transaction=True)
def test_a_refused_webhook_is_refused_as_before(demo):
    request = environ("/ivr/welcome")
    request["HTTP_X_TWILIO_SIGNATURE"] = "forged"
    status, _headers, _body = answered(WebhookHandler(), request)
    assert status == "403 Forbidden"
    request = environ("/ivr/welcome")
    request["HTTP_HOST"] = "evil.example"
    status, _headers, _body = answered(WebhookHandler(), request)
    assert status == "400 Bad Request"


@pytest.mark.sqlite_run_only(reason="which handler a path takes: decided by the path")
@pytest.mark.django_db(transaction=True)
def test_a_page_goes_through_djangos_handler_with_its_signals():
    with signals_sent() as sent:
        status, _headers, _body = answered(
            WebhookHandler(), RequestFactory(HTTP_HOST="localhost").get("/admin/login/").environ
        )
    assert status == "200 OK"
    assert sent == ["started", "finished"]


def needs_a_database_that_closes():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "Django never closes an in-memory SQLite database, the SQLite run's: the "
            "PostgreSQL run checks that the handler has the connection closed"
        )


@pytest.mark.django_db(transaction=True)
def test_a_connection_past_its_age_is_closed_after_the_webhook(demo, monkeypatch):
    needs_a_database_that_closes()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    connection.close()
    connection.ensure_connection()  # its age runs out at once
    status, _headers, _body = answered(WebhookHandler(), environ("/ivr/welcome"))
    assert status == "200 OK"
    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_a_connection_is_kept_between_webhooks_within_its_age(demo):
    answered(WebhookHandler(), environ("/ivr/welcome"))
    kept = connection.connection
    assert kept is not None
    answered(WebhookHandler(), environ("/ivr/welcome", {**CALL, "CallSid": "CAhandler2"}))
    assert connection.connection is kept


@pytest.mark.django_db(transaction=True)
def test_a_connection_left_in_a_transaction_is_not_used_by_the_next_webhook(demo):
    needs_a_database_that_closes()
    connection.ensure_connection()
    connection.set_autocommit(False)  # as a request that died in the middle would leave it
    left = connection.connection
    status, _headers, _body = answered(WebhookHandler(), environ("/ivr/welcome"))
    assert status == "200 OK"
    assert connection.connection is not left
    assert connection.get_autocommit()


@pytest.mark.django_db(transaction=True)
def test_the_query_log_is_emptied_after_a_webhook(demo, django_settings):
    django_settings.DEBUG = True  # queries are logged
    connection.queries_log.append({"sql": "an earlier request's", "time": "0.000"})
    answered(WebhookHandler(), environ("/ivr/welcome"))
    assert list(connection.queries_log) == []
