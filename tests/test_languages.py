"""Staff pages follow the browser's language or the one staff choose; English otherwise."""

import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_staff

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.sqlite_run_only(
        reason="a staff page's language comes from the request and the session, not from a query"
    ),
]


def language_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(make_staff(permissions=("directory.view_planet",)))
    return client


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("ja", "ja"), ("ja-JP,ja;q=0.9,en;q=0.8", "ja"), ("en-GB", "en"), ("fr", "en"), ("", "en")],
)
def test_the_admin_speaks_the_browsers_language_when_it_has_it(accept_language, expected):
    response = Client().get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE=accept_language)
    assert language_of(response) == expected
    assert ("ログイン" in response.content.decode()) is (expected == "ja")


def test_staff_switch_the_admin_to_japanese_and_back(staff_client):
    index = reverse("admin:index")
    page = staff_client.get(index).content.decode()
    assert 'name="language" value="ja"' in page
    assert 'name="language" value="en"' not in page

    response = staff_client.post(reverse("set_language"), {"language": "ja", "next": index})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == index
    page = staff_client.get(index)
    assert language_of(page) == "ja"
    assert "電話帳" in page.content.decode()
    assert "惑星" in page.content.decode()
    assert 'name="language" value="en"' in page.content.decode()

    # The choice wins over the browser's preference, both ways.
    staff_client.post(reverse("set_language"), {"language": "en", "next": index})
    assert language_of(staff_client.get(index, HTTP_ACCEPT_LANGUAGE="ja")) == "en"


def test_the_switch_refuses_to_send_staff_to_another_site(staff_client):
    response = staff_client.post(
        reverse("set_language"),
        {"language": "ja", "next": "https://evil.example.com/"},
        HTTP_REFERER="",
    )
    assert not response.get("Location", "").startswith("https://evil.example.com")


def test_the_home_page_and_the_simulator_speak_japanese(staff_client):
    home = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja")
    assert language_of(home) == "ja"
    assert "Twilio の番号をつなぐ" in home.content.decode()
    simulator = staff_client.get(reverse("simulator:phone"), HTTP_ACCEPT_LANGUAGE="ja")
    assert language_of(simulator) == "ja"
    assert "通話シミュレーター" in simulator.content.decode()
    assert simulator.context["labels"]["outcomes"]["busy"] == "話し中"
