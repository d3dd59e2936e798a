"""The home page tells an operator what to paste into the Twilio console."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import make_staff


class Texts(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.by_id, self.links, self._id = {}, [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._id = attrs.get("id")
        if tag == "a":
            self.links.append(attrs["href"])

    def handle_data(self, data):
        if self._id:
            self.by_id[self._id] = data.strip()
            self._id = None


@pytest.fixture(autouse=True)
def allowed_host(settings):
    settings.ALLOWED_HOSTS = ["ivr.example.com"]


@pytest.mark.django_db
def test_home_shows_the_absolute_webhook_url_for_this_host(client):
    html = client.get("/", HTTP_HOST="ivr.example.com").content.decode()
    page = Texts(html)
    assert page.by_id["webhook-url"] == "http://ivr.example.com/ivr/welcome"
    assert page.by_id["debugger-url"] == "http://ivr.example.com/ivr/debugger"


@pytest.mark.django_db
def test_home_keeps_the_admins_path_from_visitors_and_shows_it_to_staff(client):
    admin = reverse("admin:index")
    visitor = client.get("/", HTTP_HOST="ivr.example.com").content.decode()
    client.force_login(make_staff())
    staff = client.get("/", HTTP_HOST="ivr.example.com").content.decode()

    assert admin not in visitor
    assert admin in Texts(staff).links


@pytest.mark.django_db
def test_home_shows_https_when_the_request_is_secure(client):
    page = Texts(client.get("/", HTTP_HOST="ivr.example.com", secure=True).content.decode())
    assert page.by_id["webhook-url"] == "https://ivr.example.com/ivr/welcome"
