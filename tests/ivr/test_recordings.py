"""A caller hears staff's recording with <Play> at an absolute URL, or the text when the file
is gone."""

import pytest
from django.urls import reverse

from directory.models import Directions, MenuPrompt, Prompt, PromptText
from directory.recordings import recordings_storage
from tests.conftest import parse_twiml, sign
from tests.factories import make_recording

pytestmark = pytest.mark.django_db

# What the main menu says (its MenuPrompt), recorded like a prompt.
GREETING = "greeting"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def record(key: str, code: str) -> str:
    """Give a prompt's text (GREETING: the main menu's) a recording; the path it is served at."""
    if key == GREETING:
        row = MenuPrompt.objects.get(menu__slug="main", language__code=code)
    else:
        row = PromptText.objects.get(prompt__key=key, language__code=code)
    row = make_recording(row)
    return reverse("recording", args=[row.recording.name.removeprefix("recordings/")])


def test_an_english_caller_hears_the_greetings_recording_at_the_requests_host(client, demo):
    path = record(GREETING, "en-GB")
    gather = parse_twiml(client.post(reverse("ivr:welcome"))).find("Gather")
    plays = gather.findall("Play")
    assert [play.text for play in plays] == [f"http://localhost{path}"] * 3
    # The Japanese offer has no recording: it is still spoken, in its own voice.
    assert [say.get("language") for say in gather.findall("Say")] == ["ja-JP"] * 3


def test_a_japanese_caller_hears_the_japanese_recording_at_the_public_url(client, demo, settings):
    settings.PUBLIC_BASE_URL = "https://ivr.example.com"
    record(GREETING, "en-GB")
    path = record(GREETING, "ja-JP")
    url, params = reverse("ivr:welcome"), {"To": "+81335550100"}
    signature = sign(f"https://ivr.example.com{url}", params)
    response = client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)
    gather = parse_twiml(response).find("Gather")
    assert gather[0].tag == "Play"
    assert gather[0].text == f"https://ivr.example.com{path}"


def test_the_directions_recording_is_played_then_the_offer_of_a_text_spoken(client, demo):
    directions = make_recording(Directions.objects.get(language__code="en-GB", in_use=True))
    name = directions.recording.name.removeprefix("recordings/")
    root = parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "1"}))
    assert [element.tag for element in root] == ["Play", "Gather"]
    assert root[0].text == "http://localhost" + reverse("recording", args=[name])
    assert root[1][0].tag == "Say"


def test_a_recording_whose_file_is_gone_falls_back_to_the_text(client, demo):
    row = make_recording(MenuPrompt.objects.get(menu__slug="main", language__code="en-GB"))
    recordings_storage().delete(row.recording.name)
    gather = parse_twiml(client.post(reverse("ivr:welcome"))).find("Gather")
    assert gather.findall("Play") == []
    assert gather[0].tag == "Say"
    assert gather[0].text == row.text


def test_a_missing_translation_plays_the_default_languages_recording(client, demo):
    path = record(Prompt.Key.NO_INPUT, "en-GB")
    PromptText.objects.filter(prompt__key=Prompt.Key.NO_INPUT, language__code="ja-JP").delete()
    root = parse_twiml(client.post(reverse("ivr:menu") + "?lang=ja-JP", {"Digits": ""}))
    assert root[0].tag == "Play"
    assert root[0].text == f"http://localhost{path}"
