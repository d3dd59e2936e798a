"""Each call records the directory revision it heard; its page shows its first menu and the
planet directory as heard."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from calllog.models import Call
from calllog.writer import entries_write
from directory.models import (
    Action,
    Announcement,
    CalledNumber,
    Language,
    Menu,
    MenuPrompt,
    Option,
    OptionWord,
    Planet,
    PlanetName,
)
from directory.selectors import revision_get
from tests.factories import log_entry, main_menu, make_option, make_staff

pytestmark = pytest.mark.django_db


def greet(client, sid: str, *, to: str = "+18005550100"):
    response = client.post(
        reverse("ivr:welcome"), {"CallSid": sid, "From": "+19295550123", "To": to}
    )
    assert response.status_code == HTTPStatus.OK
    return Call.objects.get(call_sid=sid)


def call_page(client, call: Call):
    viewer = User.objects.filter(username="viewer").first()
    client.force_login(viewer or make_staff(username="viewer", permissions=("calllog.view_call",)))
    response = client.get(reverse("admin:calllog_call_change", args=[call.pk]))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def greeting_entry(sid: str, at, revision: int | None) -> dict:
    return log_entry(
        "call_start",
        sid,
        at,
        from_number="",
        to_number="",
        language="en-GB",
        directory_revision=revision,
    )


def test_a_call_records_the_directory_revision_its_greeting_heard(client, demo):
    call = greet(client, "CA-revision")
    assert call.directory_revision == revision_get()
    assert call.greeted_at is not None


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["in order", "retry written first"])
def test_a_retried_greeting_keeps_the_earliest_greetings_revision(db, order):
    first = timezone.now()
    entries = [
        greeting_entry("CA-retry", first, 111),
        greeting_entry("CA-retry", first + timedelta(seconds=2), 222),
    ]
    for index in order:
        entries_write([entries[index]])
    call = Call.objects.get(call_sid="CA-retry")
    assert (call.directory_revision, call.greeted_at) == (111, first)


def test_a_status_callback_written_first_leaves_the_revision_to_the_greeting(db):
    at = timezone.now()
    end = log_entry("call_end", "CA-x", at + timedelta(seconds=30), from_number="", to_number="")
    end |= {"status": "completed", "duration": 40}
    entries_write([end])
    entries_write([greeting_entry("CA-x", at, 333)])
    assert Call.objects.get(call_sid="CA-x").directory_revision == 333


def test_a_greeting_spooled_before_revisions_were_recorded_is_still_written(db):
    entry = greeting_entry("CA-old", timezone.now(), None)
    del entry["directory_revision"]
    entries_write([entry])
    assert Call.objects.get(call_sid="CA-old").directory_revision is None


def test_a_calls_page_still_shows_the_menu_it_heard_after_the_planets_change(client, demo):
    call = greet(client, "CA-before")
    name = PlanetName.objects.get(planet__name="Dagobah", language__code="en-GB")
    name.spoken_name = "the swamp planet"
    name.save()
    brodo = Planet.objects.get(name="Brodo Asogi")
    brodo.is_active = False
    brodo.save()

    html = call_page(client, call)

    assert "To call the planet DuhGo bah, press 3." in html
    assert "To call the planet Broh doe As O G, press 2." in html
    assert "the swamp planet" not in html
    later = call_page(client, greet(client, "CA-after"))
    assert "To call the swamp planet, press 3." in later
    assert "Broh doe" not in later.split("directory-heard")[1].split("</ol>")[0]


def test_a_calls_page_shows_the_menu_in_the_calls_language(client, demo):
    japanese = Language.objects.get(code="ja-JP")
    CalledNumber.objects.create(number="+81335550100", language=japanese)
    call = greet(client, "CA-ja", to="+81335550100")

    html = call_page(client, call)

    assert '<li lang="ja-JP">惑星ダゴバに電話をかけるには、3を押してください。</li>' in html


def test_a_call_logged_before_greetings_were_timed_says_its_menu_is_not_known(client, demo):
    entries_write([greeting_entry("CA-untimed", timezone.now(), None)])
    call = Call.objects.get(call_sid="CA-untimed")
    Call.objects.filter(pk=call.pk).update(greeted_at=None)
    assert "Not known: this call is older than the directory" in call_page(client, call)


def test_a_calls_page_shows_its_first_menu_as_heard_after_staff_change_the_tree(client, demo):
    call = greet(client, "CA-tree")
    greeting = MenuPrompt.objects.get(menu__slug="main", language__code="en-GB")
    greeting.text = "Welcome to the new line."
    greeting.save()
    make_option(menu=main_menu(), key="0", action=Action.HANG_UP).texts.create(
        language=Language.objects.get(code="en-GB"), text="To hang up, press {key}."
    )

    heard = call_page(client, call).split("first-menu-heard")[1].split("</ol>")[0]
    assert "Thanks for calling the E T Phone Home Service." in heard
    assert "日本語をご希望の方は、9を押してください。" in heard
    assert "new line" not in heard
    assert "To hang up" not in heard
    later = call_page(client, greet(client, "CA-tree-later"))
    heard = later.split("first-menu-heard")[1].split("</ol>")[0]
    assert "Welcome to the new line." in heard
    assert "To hang up, press 0." in heard


def test_a_call_from_before_the_tree_was_data_shows_its_first_menu_as_not_known(client, demo):
    call = greet(client, "CA-old-tree")
    # As a call greeted before migration 0014 wrote the tree's first history.
    for model in (Menu, MenuPrompt, Option, Announcement, OptionWord):
        model.history.all().update(history_date=timezone.now() + timedelta(minutes=1))
    heard = call_page(client, call).split("first-menu-heard")
    assert len(heard) == 1  # no list of sentences
    assert "Not known: this call is older than the directory" in heard[0]
