"""Callers say what they want at every menu, in English and Japanese, request by request."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from calllog.models import Step, Utterance
from directory.models import Planet, PlanetAlias, Prompt
from tests.conftest import parse_twiml, prompt_text, spoken

pytestmark = pytest.mark.django_db

DAGOBAH = "+17262043675"
CALLER = {"CallSid": "CA200", "From": "+19295550123", "To": "+18005550100"}


def say(client, name, words, *, confidence="0.92", query="", **params):
    """One webhook request the way Twilio sends what it heard."""
    url = reverse(name) + (f"?{query}" if query else "")
    return parse_twiml(
        client.post(url, {"SpeechResult": words, "Confidence": confidence, **params})
    )


def follow(client, root, **params):
    """Answer the gather (or follow the redirect) the app's TwiML leads to."""
    element = root.find("Gather")
    url = element.get("action") if element is not None else root.find("Redirect").text
    return parse_twiml(client.post(url, params))


def dialed(root) -> str | None:
    dial = root.find("Dial")
    return dial.text if dial is not None else None


def query(url: str) -> dict:
    return {key: value for key, (value,) in parse_qs(urlsplit(url).query).items()}


# Every gather listens


def test_the_main_menu_listens_in_english_with_its_words_and_planet_names_as_hints(client, demo):
    gather = parse_twiml(client.post(reverse("ivr:welcome"))).find("Gather")
    assert (gather.get("input"), gather.get("language"), gather.get("speechTimeout")) == (
        "dtmf speech",
        "en-GB",
        "auto",
    )
    hints = gather.get("hints").split(", ")
    assert {"directions", "planets", "Dagobah", "Dagoba", "日本語"} <= set(hints)
    assert "道案内" not in hints


def test_the_main_menu_listens_in_japanese_with_japanese_hints(client, demo):
    gather = parse_twiml(client.post(reverse("ivr:welcome") + "?lang=ja-JP")).find("Gather")
    assert gather.get("language") == "ja-JP"
    assert {"道案内", "惑星", "惑星ダゴバ", "ダゴバ", "English"} <= set(
        gather.get("hints").split(", ")
    )


def test_the_planet_directory_listens_for_planet_names_and_back(client, demo):
    gather = parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "2"})).find("Gather")
    assert gather.get("input") == "dtmf speech"
    hints = set(gather.get("hints").split(", "))
    assert {"the planet DuhGo bah", "Dagobah", "Brodo Asogi", "back"} <= hints
    assert "directions" not in hints


def test_keys_still_work_exactly_as_before_at_a_listening_menu(client, demo):
    root = parse_twiml(client.post(reverse("ivr:planets"), {"Digits": "3"}))
    assert dialed(root) == DAGOBAH


# Main menu


@pytest.mark.parametrize(
    ("words", "lang"), [("directions please", ""), ("道案内", "lang=ja-JP"), ("one", "")]
)
def test_the_words_for_directions_read_the_directions(client, demo, words, lang):
    root = say(client, "ivr:menu", words, query=lang)
    # The directions, then the offer of them by text.
    assert [child.tag for child in root] == ["Say", "Gather"]


@pytest.mark.parametrize(("words", "lang"), [("planets", ""), ("惑星", "lang=ja-JP")])
def test_the_words_for_planets_read_the_planet_directory(client, demo, words, lang):
    root = say(client, "ivr:menu", words, query=lang)
    assert urlsplit(root.find("Gather").get("action")).path == reverse("ivr:planets")


def test_a_language_named_at_the_main_menu_switches_to_it(client, demo):
    root = say(client, "ivr:menu", "日本語")
    assert root.find("Gather").get("language") == "ja-JP"


@pytest.mark.parametrize(
    ("words", "lang"), [("Dagobah", ""), ("ダゴバにつないでください", "lang=ja-JP")]
)
def test_a_planet_named_at_the_main_menu_is_dialed_straight_away(client, demo, words, lang):
    assert dialed(say(client, "ivr:menu", words, query=lang)) == DAGOBAH


# Planet directory


@pytest.mark.parametrize(
    ("words", "lang"),
    [
        ("Dagobah", ""),
        ("dagoba please", ""),
        ("I'd like to call the planet Dagobah", ""),
        ("Yoda's swamp", ""),
        ("three", ""),
        ("ダゴバ", "lang=ja-JP"),
        ("だごば", "lang=ja-JP"),
        ("惑星ダゴバをお願いします", "lang=ja-JP"),
        ("さん", "lang=ja-JP"),
    ],
)
def test_a_planet_said_at_the_planet_directory_is_dialed(client, demo, words, lang):
    assert dialed(say(client, "ivr:planets", words, query=lang)) == DAGOBAH


def test_an_alias_staff_add_is_understood_by_the_next_caller(client, demo):
    assert dialed(say(client, "ivr:planets", "the green one")) is None
    PlanetAlias.objects.create(
        planet=Planet.objects.get(name="Dagobah"),
        language_id=Planet.objects.get(name="Dagobah")
        .names.get(language__code="en-GB")
        .language_id,
        phrase="the green one",
    )
    assert dialed(say(client, "ivr:planets", "the green one")) == DAGOBAH


def test_saying_back_at_the_planet_directory_returns_to_the_main_menu(client, demo):
    root = say(client, "ivr:planets", "go back")
    assert spoken(root) == [prompt_text(Prompt.Key.RETURNING_TO_MENU)]
    assert urlsplit(root.find("Redirect").text).path == reverse("ivr:welcome")


def test_unmatched_speech_is_a_miss_that_counts_toward_the_attempts(client, demo):
    root = say(client, "ivr:planets", "banana bread")
    assert spoken(root)[0] == prompt_text(Prompt.Key.NOT_UNDERSTOOD)
    assert query(root.find("Gather").get("action"))["attempts"] == "1"
    root = follow(client, root, SpeechResult="banana bread", Confidence="0.9")
    root = follow(client, root, SpeechResult="banana bread", Confidence="0.9")
    assert spoken(root) == [prompt_text(Prompt.Key.GOODBYE)]
    assert root.find("Hangup") is not None


def test_unmatched_speech_at_the_japanese_planet_directory_is_apologised_in_japanese(client, demo):
    root = say(client, "ivr:planets", "バナナ", query="lang=ja-JP")
    assert spoken(root)[0] == prompt_text(Prompt.Key.NOT_UNDERSTOOD, "ja-JP")


# Confirmation


def confirm_question(client, *, lang=""):
    root = say(client, "ivr:planets", "Dagobah", confidence="0.3", query=lang)
    gather = root.find("Gather")
    assert urlsplit(gather.get("action")).path == reverse("ivr:confirm")
    return root


def test_a_doubtful_name_is_confirmed_before_dialing(client, demo):
    root = confirm_question(client)
    assert dialed(root) is None
    assert spoken(root) == [
        "Did you say the planet DuhGo bah? Say yes or press 1; say no or press 2."
    ]
    gather = root.find("Gather")
    assert query(gather.get("action"))["planet"] == str(Planet.objects.get(name="Dagobah").pk)
    assert {"yes", "no"} <= set(gather.get("hints").split(", "))


@pytest.mark.parametrize("answer", [{"SpeechResult": "yes please"}, {"Digits": "1"}])
def test_yes_to_the_confirmation_dials_the_planet(client, demo, answer):
    assert dialed(follow(client, confirm_question(client), **answer)) == DAGOBAH


@pytest.mark.parametrize("answer", [{"SpeechResult": "no"}, {"Digits": "2"}])
def test_no_to_the_confirmation_returns_to_the_planet_directory(client, demo, answer):
    root = follow(client, confirm_question(client), **answer)
    assert dialed(root) is None
    assert urlsplit(root.find("Gather").get("action")).path == reverse("ivr:planets")


@pytest.mark.parametrize(("answer", "number"), [("はい", DAGOBAH), ("いいえ", None)])
def test_the_confirmation_in_japanese(client, demo, answer, number):
    root = confirm_question(client, lang="lang=ja-JP")
    assert spoken(root)[0].startswith("惑星ダゴバでよろしいですか")
    assert root.find("Gather").get("language") == "ja-JP"
    assert dialed(follow(client, root, SpeechResult=answer)) == number


def test_anything_else_at_the_confirmation_asks_again_and_counts_as_a_miss(client, demo):
    root = follow(client, confirm_question(client), SpeechResult="purple")
    assert spoken(root)[0] == prompt_text(Prompt.Key.NOT_UNDERSTOOD)
    assert query(root.find("Gather").get("action"))["attempts"] == "1"
    assert urlsplit(root.find("Gather").get("action")).path == reverse("ivr:confirm")


def test_a_planet_deactivated_before_the_answer_is_not_dialed(client, demo):
    root = confirm_question(client)
    Planet.objects.filter(name="Dagobah").update(is_active=False)
    root = follow(client, root, Digits="1")
    assert dialed(root) is None
    assert urlsplit(root.find("Gather").get("action")).path == reverse("ivr:planets")


def test_two_planets_that_sound_alike_are_confirmed_even_when_heard_clearly(client, demo):
    Planet.objects.create(name="Dagobar", key="5", phone_number="+14155550100")
    root = say(client, "ivr:planets", "Dagoba", confidence="0.99")
    assert dialed(root) is None
    assert urlsplit(root.find("Gather").get("action")).path == reverse("ivr:confirm")


def test_the_confidence_threshold_is_a_setting(client, demo, django_settings):
    django_settings.SPEECH_CONFIDENCE = 0.2
    assert dialed(say(client, "ivr:planets", "Dagobah", confidence="0.3")) == DAGOBAH


# The call log


def test_each_utterance_is_logged_with_what_it_matched(client, demo):
    say(client, "ivr:planets", "Dagobah please", confidence="0.875", query="step=2", **CALLER)
    say(client, "ivr:planets", "banana " * 100, query="step=3", **CALLER)
    matched, unmatched = Utterance.objects.order_by("sequence")
    dagobah = Planet.objects.get(name="Dagobah")
    assert (matched.heard, matched.confidence, matched.target, matched.planet) == (
        "Dagobah please",
        0.875,
        f"planet:{dagobah.pk}",
        dagobah,
    )
    assert (matched.call_id, matched.sequence, matched.language, matched.score) == (
        "CA200",
        2,
        "en-GB",
        100.0,
    )
    assert (unmatched.target, unmatched.planet, len(unmatched.heard)) == ("", None, 200)
    assert Step.objects.get(sequence=2).planet == dagobah


def test_a_retried_utterance_is_logged_once(client, demo):
    for _ in range(2):
        say(client, "ivr:planets", "Dagobah", query="step=2", **CALLER)
    assert Utterance.objects.count() == 1


def test_key_presses_log_no_utterance(client, demo):
    client.post(reverse("ivr:planets") + "?step=2", {"Digits": "3", **CALLER})
    assert Utterance.objects.count() == 0
