"""What a caller sends cannot forge lines in the server's log."""

import io
import logging

import pytest
from django.urls import reverse

from etphone.logformat import OneLineFormatter, one_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_log():
    """What the log writes with the project's configured formatter (settings.LOGGING), as text."""
    # pytest adds handlers of its own; ours is the one with the project's formatter.
    (configured,) = [
        h for h in logging.getLogger().handlers if isinstance(h.formatter, OneLineFormatter)
    ]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configured.formatter)
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


def test_newlines_in_twilios_parameters_cannot_start_a_log_line(client, server_log):
    forged = "\r\n2026-11-24 09:00:00,000 ERROR ivr Refused a request from the operator"
    params = {"CallSid": f"CA1{forged}", "ErrorCode": f"11200{forged}", "ErrorUrl": f"/x{forged}"}
    client.post(reverse("ivr:fallback"), params)
    lines = server_log.getvalue().splitlines()
    assert len(lines) == 1
    assert "ERROR ivr Twilio used the fallback URL for call CA1\\x0d\\x0a2026-11-24" in lines[0]


def test_tracebacks_keep_their_lines_and_messages_lose_their_controls(server_log):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("ivr").exception("Step failed for call %s", "CA1\nforged\u2028line")
    text = server_log.getvalue()
    assert text.splitlines()[0].endswith("Step failed for call CA1\\x0aforged\\u2028line")
    assert "Traceback (most recent call last):" in text.splitlines()[1]


def test_one_line_keeps_tabs_and_any_script():
    assert one_line("ダゴバ\tplease\x1b[31m\x00") == "ダゴバ\tplease\\x1b[31m\\x00"


def test_a_request_for_another_host_is_one_warning_line(unsigned_client, server_log):
    response = unsigned_client.get(reverse("health"), HTTP_HOST="probe.internal")
    assert response.status_code == 400
    lines = server_log.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert (
        " WARNING django.security.DisallowedHost Invalid HTTP_HOST header: 'probe.internal'"
        in (lines[0])
    )
