"""Staff read Twilio's Debugger reports in the admin: newest first, what each code means and
Twilio's page about it; read-only; a caller's number and words only for staff who may see them."""

import json
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from calllog.admin import CALLER_PERMISSION
from debugger import admin as debugger_admin
from debugger.models import Report
from debugger.services import report_receive
from tests.debugger.reports import CALLER, payload, report
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

LIST = reverse("admin:debugger_report_changelist")
VIEW = "debugger.view_report"


def keep(sid: str, *, hours_ago: float = 1, level: str = "ERROR", **payload_overrides) -> Report:
    at = (timezone.now() - timedelta(hours=hours_ago)).isoformat()
    document = json.dumps(payload(**payload_overrides))
    report_receive(report(sid=sid, Level=level, Timestamp=at, Payload=document))
    return Report.objects.get(sid=sid)


@pytest.fixture
def reports():
    keep("NO1", hours_ago=30)
    keep(
        "NO2",
        hours_ago=2,
        level="WARNING",
        error_code="13521",
        more_info="https://www.twilio.com/docs/errors/13521",
    )
    keep("NO3", hours_ago=1, error_code="99999x")


@pytest.fixture
def viewer(client):
    client.force_login(make_staff(permissions=(VIEW,)))
    return client


def listed(response) -> list[str]:
    assert response.status_code == HTTPStatus.OK
    return [row.sid for row in response.context["cl"].result_list]


def test_the_list_is_newest_first_with_each_codes_meaning_and_twilios_page(viewer, reports):
    response = viewer.get(LIST)

    assert listed(response) == ["NO3", "NO2", "NO1"]
    page = response.content.decode()
    assert "HTTP retrieval failure: Twilio got no usable answer from our URL." in page
    assert "Say: the text is longer than the voice allows." in page
    # more_info when Twilio sent a link to its page, else the code's page.
    assert 'href="https://www.twilio.com/docs/errors/13521"' in page
    assert 'href="https://www.twilio.com/docs/api/errors/11200"' in page
    assert "docs/api/errors/99999x" not in page  # not a code: no page to link
    assert "99999x" in page


def test_the_list_filters_by_level_and_code_and_searches_code_url_and_sid(viewer, reports):
    assert listed(viewer.get(LIST, {"level__exact": "warning"})) == ["NO2"]
    assert listed(viewer.get(LIST, {"error_code__exact": "11200"})) == ["NO1"]
    assert listed(viewer.get(LIST, {"q": "13521"})) == ["NO2"]
    assert listed(viewer.get(LIST, {"q": "NO3"})) == ["NO3"]
    assert len(listed(viewer.get(LIST, {"q": "ivr/menu"}))) == 3


def test_the_meaning_is_in_japanese_for_a_japanese_browser(viewer, reports):
    page = viewer.get(LIST, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Say: テキストが音声の上限より長すぎます。" in page


def test_a_report_is_read_only_and_deleted_only_with_the_permission(viewer, reports):
    kept = Report.objects.get(sid="NO1")
    change = reverse("admin:debugger_report_change", args=[kept.pk])
    delete = reverse("admin:debugger_report_delete", args=[kept.pk])

    page = viewer.get(change).content.decode()
    assert 'name="_save"' not in page
    assert viewer.post(change, {"level": "warning"}).status_code == HTTPStatus.FORBIDDEN
    assert viewer.get(reverse("admin:debugger_report_add")).status_code == HTTPStatus.FORBIDDEN
    assert viewer.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN

    viewer.force_login(make_staff(username="tidy", permissions=(VIEW, "debugger.delete_report")))
    assert viewer.post(delete, {"post": "yes"}).status_code == HTTPStatus.FOUND
    assert not Report.objects.filter(sid="NO1").exists()


def test_a_callers_number_and_words_are_shown_only_to_staff_who_may_see_them(viewer, reports):
    change = reverse("admin:debugger_report_change", args=[Report.objects.get(sid="NO1").pk])

    page = viewer.get(change).content.decode()
    assert CALLER not in page
    assert "•••0123" in page
    assert "take me home" not in page
    assert "+18005550100" not in page  # To and Called are masked too

    viewer.force_login(
        make_staff(
            username="sees",
            permissions=(VIEW, "calllog.view_caller_number", "calllog.view_utterance"),
        )
    )
    page = viewer.get(change).content.decode()
    assert CALLER in page
    assert "take me home" in page


def test_a_login_that_sees_masked_numbers_cannot_read_them_back_from_the_query_string(
    viewer, reports
):
    probe = {"raw__Payload__webhook__request__parameters__From__startswith": "+1929"}

    assert viewer.get(LIST, probe).status_code == HTTPStatus.BAD_REQUEST

    viewer.force_login(
        make_staff(
            username="sees",
            permissions=(VIEW, "calllog.view_caller_number", "calllog.view_utterance"),
        )
    )
    assert len(listed(viewer.get(LIST, probe))) == 3


def test_the_permissions_it_names_are_the_call_logs():
    assert debugger_admin.CALLER_PERMISSION == CALLER_PERMISSION
    for name in (debugger_admin.CALLER_PERMISSION, debugger_admin.WORDS_PERMISSION):
        app_label, codename = name.split(".")
        assert Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).exists()
