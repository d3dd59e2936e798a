"""A caller chooses Japanese, or calls a Japanese number, and hears the whole tree in Japanese."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from directory.models import CalledNumber, Language
from tests.conftest import parse_twiml, prompt_text, spoken

pytestmark = pytest.mark.django_db

CALLER = {"CallSid": "CA200", "From": "+19295550123", "To": "+18005550100"}
JAPANESE_NUMBER = "+81335550100"
OFFER_OF_ENGLISH = "For English, press 8."


def says(root):
    return [(say.text, say.get("voice"), say.get("language")) for say in root.iter("Say")]


def next_url(root) -> str:
    redirect = root.find("Redirect")
    if redirect is not None:
        return redirect.text
    return next(el.get("action") for el in root.iter() if el.get("action"))


def lang(url: str) -> str | None:
    return parse_qs(urlsplit(url).query).get("lang", [None])[0]


def assert_all_japanese(root, *, except_text: str = ""):
    """Every <Say> speaks Japanese with the Japanese voice (but the one offering English)."""
    for text, voice, language in says(root):
        if text == except_text:
            assert (voice, language) == ("alice", "en-GB")
        else:
            assert (voice, language) == ("Polly.Mizuki", "ja-JP"), text


def test_the_english_greeting_offers_japanese_in_japanese(client, demo):
    root = parse_twiml(client.post(reverse("ivr:welcome"), CALLER))
    assert says(root)[:2] == [
        (prompt_text("greeting"), "alice", "en-GB"),
        ("日本語をご希望の方は、9を押してください。", "Polly.Mizuki", "ja-JP"),
    ]
    assert lang(next_url(root)) is None


def test_a_whole_japanese_call_walked_request_by_request_to_the_directions(client, demo):
    root = parse_twiml(client.post(reverse("ivr:welcome"), CALLER))
    root = parse_twiml(client.post(next_url(root), {**CALLER, "Digits": "9"}))
    assert spoken(root)[0] == prompt_text("greeting", "ja-JP")
    assert OFFER_OF_ENGLISH in spoken(root)
    assert_all_japanese(root, except_text=OFFER_OF_ENGLISH)
    assert lang(next_url(root)) == "ja-JP"

    root = parse_twiml(client.post(next_url(root), {**CALLER, "Digits": "1"}))
    assert spoken(root)[0].startswith("脱出地点へは、まず自転車に乗って")
    assert spoken(root)[1] == "この道順をテキストメッセージで受け取るには、1を押してください。"
    assert_all_japanese(root)
    # Nothing pressed: the thank-you, and the call ends.
    root = parse_twiml(client.post(next_url(root), {**CALLER, "Digits": ""}))
    assert spoken(root) == [prompt_text("thank_you", "ja-JP")]
    assert_all_japanese(root)
    assert root[-1].tag == "Hangup"


def test_a_whole_japanese_call_walked_request_by_request_to_dagobah(client, demo):
    root = parse_twiml(client.post(reverse("ivr:welcome"), CALLER))
    root = parse_twiml(client.post(next_url(root), {**CALLER, "Digits": "9"}))
    # 2: the planet directory, in Japanese, with the planets' Japanese names.
    root = parse_twiml(client.post(next_url(root), {**CALLER, "Digits": "2"}))
    assert "惑星ダゴバに電話をかけるには、3を押してください。" in spoken(root)
    assert_all_japanese(root)
    # A wrong key: the apology and the menu again, still in Japanese.
    root = parse_twiml(client.post(next_url(root), {**CALLER, "Digits": "7"}))
    assert spoken(root)[0] == prompt_text("invalid_key", "ja-JP")
    assert_all_japanese(root)
    # 3 dials Dagobah; the language travels on to the dial's outcome.
    root = parse_twiml(client.post(next_url(root), {**CALLER, "Digits": "3"}))
    assert root.find("Dial").text == "+17262043675"
    assert lang(next_url(root)) == "ja-JP"
    busy = parse_twiml(client.post(next_url(root), {**CALLER, "DialCallStatus": "busy"}))
    assert spoken(busy) == [
        "惑星ダゴバにつながりませんでした。",
        prompt_text("voicemail_offer", "ja-JP").replace("{planet}", "惑星ダゴバ"),
    ]
    assert busy.find("Gather").get("language") == "ja-JP"
    assert_all_japanese(busy)
    # Another key than 1 declines the message: the planet directory again, in Japanese.
    menu = parse_twiml(client.post(next_url(busy), {**CALLER, "Digits": "2"}))
    assert "惑星ダゴバに電話をかけるには、3を押してください。" in spoken(menu)
    assert_all_japanese(menu)
    # Star goes back to the main menu, in Japanese.
    back = parse_twiml(client.post(next_url(menu), {**CALLER, "Digits": "*"}))
    assert spoken(back) == ["メインメニューに戻ります。"]
    welcome = parse_twiml(client.post(next_url(back), CALLER))
    assert spoken(welcome)[0] == prompt_text("greeting", "ja-JP")
    assert_all_japanese(welcome, except_text=OFFER_OF_ENGLISH)
    done = parse_twiml(client.post(next_url(root), {**CALLER, "DialCallStatus": "completed"}))
    assert spoken(done) == [prompt_text("dial_completed", "ja-JP")]
    assert_all_japanese(done)


def test_a_silent_japanese_caller_hears_goodbye_in_japanese(client, demo):
    root = parse_twiml(client.post(reverse("ivr:welcome"), CALLER))
    root = parse_twiml(client.post(next_url(root), {**CALLER, "Digits": "9"}))
    for _ in range(10):
        root = parse_twiml(client.post(next_url(root), CALLER))
        assert_all_japanese(root, except_text=OFFER_OF_ENGLISH)
        if root[-1].tag == "Hangup":
            break
    assert spoken(root) == [prompt_text("goodbye", "ja-JP")]


def test_a_number_tied_to_japanese_starts_its_callers_in_japanese(client, demo):
    CalledNumber.objects.create(number=JAPANESE_NUMBER, language=Language.objects.get(code="ja-JP"))
    caller = {**CALLER, "To": JAPANESE_NUMBER}
    root = parse_twiml(client.post(reverse("ivr:welcome"), caller))
    assert spoken(root)[:2] == [prompt_text("greeting", "ja-JP"), OFFER_OF_ENGLISH]
    assert_all_japanese(root, except_text=OFFER_OF_ENGLISH)
    # The number's own language needs no lang in the URLs; English, chosen with 8, does.
    assert lang(next_url(root)) is None
    root = parse_twiml(client.post(next_url(root), {**caller, "Digits": "2"}))
    assert_all_japanese(root)
    english = parse_twiml(client.post(reverse("ivr:menu"), {**caller, "Digits": "8"}))
    assert spoken(english)[0] == prompt_text("greeting")
    assert lang(next_url(english)) == "en-GB"
    root = parse_twiml(client.post(next_url(english), {**caller, "Digits": "1"}))
    assert {language for _, _, language in says(root)} == {"en-GB"}


def test_an_unlisted_number_starts_in_the_default_language(client, demo):
    CalledNumber.objects.create(number=JAPANESE_NUMBER, language=Language.objects.get(code="ja-JP"))
    root = parse_twiml(client.post(reverse("ivr:welcome"), {**CALLER, "To": "+14155550199"}))
    assert spoken(root)[0] == prompt_text("greeting")


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param("xx-XX", id="unknown"),
        pytest.param("ja-jp", id="wrong-case"),
        pytest.param("ja-JP' OR '1'='1", id="sql"),
        pytest.param("<Say>hi</Say>", id="markup"),
        pytest.param("ja-JP" * 1000, id="5kB"),
        pytest.param("\x00", id="nul"),
        pytest.param("日本語", id="a-name-not-a-code"),
    ],
)
@pytest.mark.parametrize("step", ["ivr:welcome", "ivr:menu", "ivr:planets", "ivr:dialed"])
def test_a_hostile_lang_is_answered_in_the_default_language(client, demo, hostile, step):
    url = reverse(step) + "?" + urlencode({"lang": hostile})
    root = parse_twiml(client.post(url, {**CALLER, "Digits": "2"}))
    assert {language for _, _, language in says(root)} <= {"en-GB", "ja-JP"}
    assert "Polly.Mizuki" not in [voice for text, voice, _ in says(root) if "9" not in text]
    for el in root.iter():
        if el.get("action") or el.tag == "Redirect":
            assert lang(el.get("action") or el.text) is None


def test_a_deleted_language_in_a_call_in_progress_falls_back_to_the_default(client, demo):
    root = parse_twiml(client.post(reverse("ivr:welcome"), CALLER))
    root = parse_twiml(client.post(next_url(root), {**CALLER, "Digits": "9"}))
    Language.objects.filter(code="ja-JP").delete()
    root = parse_twiml(client.post(next_url(root), {**CALLER, "Digits": "1"}))
    assert {language for _, _, language in says(root)} == {"en-GB"}
