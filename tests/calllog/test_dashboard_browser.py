"""The call dashboard in a real headless Chromium, with demo traffic, as staff see it."""

import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import PASSWORD, screenshot
from tests.factories import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dashboard_draws_its_charts_offline_from_demo_traffic(page, live_server, demo):
    # 29 days of calls up to this midnight, all inside the dashboard's last 30 days at any hour:
    # the docs' picture of it changes with the date only, not at every run.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with mock.patch("django.utils.timezone.now", return_value=midnight):
        call_command("generate_calls", "--count", "300", "--days", "29")
    staff = make_staff(username="analyst", permissions=("calllog.view_call",))
    requested_hosts = set()
    page.on(
        "request",
        lambda request: requested_hosts.add(re.sub(r"^\w+://([^/]+).*", r"\1", request.url)),
    )

    page.goto(live_server.url + reverse("admin:calllog_dashboard"))
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Call dashboard")).to_be_visible()
    for chart in ["Calls per day", "Menu choices", "Calls per planet"]:
        svg = page.get_by_role("img", name=chart)
        expect(svg).to_be_visible()
        assert svg.locator("rect.bar").count() > 0
        box = svg.bounding_box()
        assert box["width"] > 200
        assert box["height"] > 100
    expect(page.locator("#planets table")).to_contain_text("Dagobah")
    # Nothing is fetched from anywhere but this server.
    assert requested_hosts == {live_server.url.removeprefix("http://")}

    screenshot(page, "dashboard", docs=True, full_page=True)
