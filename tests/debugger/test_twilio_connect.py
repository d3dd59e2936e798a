"""twilio_connect names the Debugger's webhook, which only the console sets; --check says when
no report has arrived, and how many errors Twilio reported in the last day."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.debugger.test_admin import keep
from tests.ivr.test_twilio_connect import BASE, OURS

pytestmark = pytest.mark.django_db

WEBHOOK = f"{BASE}/ivr/debugger"


def connect(*args: str) -> str:
    out = StringIO()
    call_command("twilio_connect", *args, "--base-url", BASE, stdout=out)
    return out.getvalue()


def test_connecting_a_number_prints_the_debugger_webhook_to_set_in_the_console(fake_twilio):
    fake_twilio.add_number("+19295566487")

    out = connect("+19295566487")

    assert f"set Monitor > Debugger > Webhook to {WEBHOOK} for" in out
    assert "its API cannot set it" in out
    assert connect("+19295566487").count(WEBHOOK) == 1  # already connected: said again


def test_check_warns_when_no_report_has_arrived_but_passes(fake_twilio):
    fake_twilio.add_number("+19295566487", **OURS)

    out = connect("--check")  # no CommandError

    assert "Debugger: no report from Twilio's Debugger is kept here." in out
    assert f"Monitor > Debugger > Webhook is {WEBHOOK}" in out
    assert "1 number(s) point at" in out


def test_check_counts_the_last_days_errors_once_reports_arrive(fake_twilio):
    fake_twilio.add_number("+19295566487", **OURS)
    keep("NO1", hours_ago=3)
    keep("NO2", hours_ago=30)
    keep("NO3", hours_ago=1, level="WARNING")

    out = connect("--check")

    assert "Debugger: Twilio reported 1 error(s) in the last 24 hours (latest report: " in out
    assert "no report" not in out


def test_check_still_fails_on_a_drifted_number_and_says_how_the_debugger_is(fake_twilio):
    fake_twilio.add_number("+19295566487", **{**OURS, "voice_method": "GET"})
    out = StringIO()

    with pytest.raises(CommandError, match="drifted"):
        call_command("twilio_connect", "--check", "--base-url", BASE, stdout=out)

    assert "Debugger: no report from Twilio's Debugger is kept here." in out.getvalue()
