"""Staff see what callers said that was not understood, and add it as an alias in one step."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from calllog.models import Call, Utterance
from directory.models import Option, OptionWord, Planet, PlanetAlias
from tests.conftest import TwilioClient, parse_twiml, spoken
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

REPORT = "admin:calllog_utterance_unmatched"
DAGOBAH = "+17262043675"


def say(words, *, name="ivr:planets", call_sid="CA1", lang=""):
    """A caller says words at a menu, through the signed webhook (which logs the utterance)."""
    url = reverse(name) + (f"?lang={lang}" if lang else "")
    return parse_twiml(
        TwilioClient().post(url, {"CallSid": call_sid, "SpeechResult": words, "Confidence": "0.9"})
    )


def dialed(root):
    dial = root.find("Dial")
    return dial.text if dial is not None else None


def staff_client(client, *permissions):
    client.force_login(make_staff(permissions=("calllog.view_utterance", *permissions)))
    return client


@pytest.fixture
def heard(demo):
    """Callers said "swampy rock" three times, "the green one" once, and "Dagobah" (understood)."""
    for n in range(3):
        say("Swampy rock" if n else "swampy rock", call_sid=f"CA-swamp-{n}")
    say("the green one", call_sid="CA-green")
    say("Dagobah", call_sid="CA-understood")
    Utterance.objects.create(
        call_id="CA-old",
        sequence=1,
        language="en-GB",
        heard="ancient words",
        confidence=0.9,
        score=0,
        created_at=timezone.now() - timedelta(days=40),
    )


def report(client, **query):
    response = client.get(reverse(REPORT), query)
    assert response.status_code == HTTPStatus.OK
    return [(row.phrase, row.times) for row in response.context["rows"]]


def test_unmatched_phrases_are_listed_most_frequent_first_whatever_their_case(client, heard):
    client = staff_client(client)
    assert report(client, language="en-GB") == [("swampy rock", 3), ("the green one", 1)]


def test_the_period_is_chosen(client, heard):
    client = staff_client(client)
    assert ("ancient words", 1) in report(client, language="en-GB", days="90")
    assert report(client, language="en-GB", days="1") == [("swampy rock", 3), ("the green one", 1)]


def test_unmatched_phrases_are_per_language(client, heard):
    say("ぬまのほし", call_sid="CA-ja", lang="ja-JP")
    client = staff_client(client)
    assert report(client, language="ja-JP") == [("ぬまのほし", 1)]


def test_an_unknown_language_or_period_shows_the_default(client, heard):
    client = staff_client(client)
    assert report(client, language="xx' OR 1=1", days="-4") == report(client, language="en-GB")


def test_a_phrase_added_to_a_planet_is_understood_by_the_next_caller(client, heard):
    client = staff_client(client, "directory.add_planetalias")
    dagobah = Planet.objects.get(name="Dagobah")
    assert dialed(say("swampy rock", call_sid="CA-before")) is None

    response = client.post(
        reverse(REPORT) + "?language=en-GB&days=30",
        {"language": "en-GB", "phrase": "swampy rock", "target": f"planet:{dagobah.pk}"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse(REPORT) + "?language=en-GB&days=30"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Callers who say “swampy rock” in en-GB now reach Dagobah."
    ]
    assert PlanetAlias.objects.filter(planet=dagobah, phrase="swampy rock").exists()
    assert dialed(say("Swampy rock", call_sid="CA-after")) == DAGOBAH
    # It is no longer listed as not understood.
    assert report(client, language="en-GB") == [("the green one", 1)]


def test_a_phrase_added_to_a_menus_option_is_understood_by_the_next_caller(client, heard):
    client = staff_client(client, "directory.add_optionword", "directory.view_option")
    directions = Option.objects.get(menu__slug="main", key="1")
    client.post(
        reverse(REPORT),
        {"language": "en-GB", "phrase": "the green one", "target": f"option:{directions.pk}"},
    )
    assert OptionWord.objects.filter(phrase="the green one", option=directions).exists()
    root = say("the green one", name="ivr:menu", call_sid="CA-after")
    # The directions, then their offer by text.
    assert spoken(root)[0].startswith("To get to your extraction point")
    assert root.find("Gather") is not None


def test_a_phrase_that_cannot_be_an_alias_is_refused_with_a_message(client, heard):
    client = staff_client(client, "directory.add_planetalias")
    dagobah = Planet.objects.get(name="Dagobah")
    response = client.post(
        reverse(REPORT),
        {"language": "en-GB", "phrase": "x" * 150, "target": f"planet:{dagobah.pk}"},
    )
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error"
    assert "at most 100 characters" in str(message)
    assert not PlanetAlias.objects.filter(phrase__startswith="xxx").exists()


def test_staff_who_may_add_no_alias_see_no_forms_and_cannot_post(client, heard):
    client = staff_client(client)
    response = client.get(reverse(REPORT))
    assert response.context["can_add"] is False
    assert b'<form method="post"' not in response.content
    assert b'name="phrase"' not in response.content
    dagobah = Planet.objects.get(name="Dagobah")
    response = client.post(
        reverse(REPORT),
        {"language": "en-GB", "phrase": "swampy rock", "target": f"planet:{dagobah.pk}"},
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not PlanetAlias.objects.filter(phrase="swampy rock").exists()


def test_options_are_offered_only_to_a_login_that_may_see_them(client, heard):
    directions = Option.objects.get(menu__slug="main", key="1")
    client = staff_client(client, "directory.add_optionword")
    assert "Main menu: 1" not in client.get(reverse(REPORT)).content.decode()
    client.post(
        reverse(REPORT),
        {"language": "en-GB", "phrase": "the green one", "target": f"option:{directions.pk}"},
    )
    assert not OptionWord.objects.filter(phrase="the green one").exists()


def test_a_planet_alias_needs_its_permission_not_an_options_words_one(client, heard):
    client = staff_client(client, "directory.add_optionword")
    dagobah = Planet.objects.get(name="Dagobah")
    client.post(
        reverse(REPORT),
        {"language": "en-GB", "phrase": "swampy rock", "target": f"planet:{dagobah.pk}"},
    )
    assert not PlanetAlias.objects.filter(phrase="swampy rock").exists()


def test_the_report_needs_the_utterance_view_permission(client, heard):
    client.force_login(make_staff(permissions=("calllog.view_call",)))
    assert client.get(reverse(REPORT)).status_code == HTTPStatus.FORBIDDEN


def test_a_calls_page_shows_its_utterances_to_staff_who_may_view_them(client, heard):
    call_page = reverse("admin:calllog_call_change", args=[_call_pk("CA-swamp-0")])
    client.force_login(make_staff(permissions=("calllog.view_call", "calllog.view_utterance")))
    assert "swampy rock" in client.get(call_page).content.decode()


def test_a_calls_page_hides_utterances_from_staff_who_may_not_view_them(client, heard):
    call_page = reverse("admin:calllog_call_change", args=[_call_pk("CA-swamp-0")])
    client.force_login(make_staff(permissions=("calllog.view_call",)))
    response = client.get(call_page)
    assert response.status_code == HTTPStatus.OK
    assert "swampy rock" not in response.content.decode()


def _call_pk(call_sid: str) -> int:
    call, _ = Call.objects.get_or_create(call_sid=call_sid)
    return call.pk
