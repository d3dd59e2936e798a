"""The call dashboard tells staff who may read the Debugger's reports how many errors Twilio
reported in the last 24 hours, linked to those reports."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.debugger.test_admin import keep
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:calllog_dashboard")


class Line(HTMLParser):
    """The dashboard's line about Twilio's errors: its text and link, None when absent."""

    def __init__(self, html: str):
        super().__init__()
        self.text, self.href, self._inside = None, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") == "twilio-errors":
            self._inside, self.text = True, ""
        elif self._inside and tag == "a":
            self.href = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "p":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.text += data

    @property
    def said(self) -> str | None:
        return None if self.text is None else " ".join(self.text.split())


def line(client, **headers) -> Line:
    return Line(client.get(DASHBOARD, **headers).content.decode())


@pytest.fixture
def reports():
    keep("NO1", hours_ago=2)
    keep("NO2", hours_ago=23)
    keep("NO3", hours_ago=1, level="WARNING")  # not an error
    keep("NO4", hours_ago=25)  # before the last 24 hours


def test_staff_who_may_read_reports_see_the_last_days_errors_linked_to_them(client, demo, reports):
    client.force_login(make_staff(permissions=("calllog.view_call", "debugger.view_report")))

    shown = line(client)

    assert shown.said == "Twilio reported 2 errors in the last 24 hours"
    assert shown.href == reverse("admin:debugger_report_changelist") + "?level__exact=error"
    assert client.get(shown.href).context["cl"].result_count == 3


def test_one_error_is_said_in_the_singular_and_in_japanese(client, demo):
    keep("NO1", hours_ago=2)
    client.force_login(make_staff(permissions=("calllog.view_call", "debugger.view_report")))

    assert line(client).said == "Twilio reported 1 error in the last 24 hours"
    assert line(client, HTTP_ACCEPT_LANGUAGE="ja").said == (
        "Twilio は過去 24 時間に 1 件のエラーを報告しました"
    )


def test_no_error_is_said_too(client, demo):
    client.force_login(make_staff(permissions=("calllog.view_call", "debugger.view_report")))

    assert line(client).said == "Twilio reported 0 errors in the last 24 hours"


def test_staff_who_may_not_read_reports_see_no_such_line(client, demo, reports):
    client.force_login(make_staff(permissions=("calllog.view_call",)))

    assert line(client).said is None
