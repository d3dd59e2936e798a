"""purge_calls deletes the Debugger's reports older than the call log's retention: they may
hold callers' numbers."""

import io

import pytest
from django.core.management import call_command

from debugger.models import Report
from tests.debugger.test_admin import keep

pytestmark = pytest.mark.django_db


def test_purge_calls_deletes_reports_older_than_the_retention(settings):
    settings.CALL_LOG_RETENTION_DAYS = 30
    keep("NOold", hours_ago=31 * 24)
    keep("NOnew", hours_ago=29 * 24)
    out = io.StringIO()

    call_command("purge_calls", stdout=out)

    assert "Deleted 1 Debugger report(s)." in out.getvalue()
    assert list(Report.objects.values_list("sid", flat=True)) == ["NOnew"]
