"""The TwiML builders are pure: plain values in, the TwiML document out, no database."""

import xml.etree.ElementTree as ET

from directory.nodes import Sentence
from ivr import twiml

ENGLISH = twiml.Listening(language="en-GB")


def xml(response) -> ET.Element:
    return ET.fromstring(str(response))


def test_welcome_gathers_one_digit_or_speech_with_the_greeting_looped_three_times():
    root = xml(
        twiml.menu(
            sentences=[Sentence("Hello.", "alice", "en-GB")],
            menu_url="/ivr/menu",
            listening=twiml.Listening("en-GB", ("directions", "planets")),
        )
    )
    (gather,) = root
    assert gather.tag == "Gather"
    assert gather.attrib == {
        "action": "/ivr/menu",
        "method": "POST",
        "numDigits": "1",
        "timeout": "5",
        "actionOnEmptyResult": "true",
        "input": "dtmf speech",
        "language": "en-GB",
        "speechTimeout": "auto",
        "hints": "directions, planets",
    }
    (say,) = gather
    assert (say.tag, say.text) == ("Say", "Hello.")
    assert say.attrib == {"loop": "3", "voice": "alice", "language": "en-GB"}


def test_say_leaves_out_an_empty_voice_and_language():
    root = xml(twiml.say_and_hang_up(sentence=Sentence("Bye.")))
    assert [(child.tag, child.attrib) for child in root] == [("Say", {}), ("Hangup", {})]


def test_welcome_repeats_sentences_in_several_voices_three_times_in_order():
    english = Sentence("Hello.", "alice", "en-GB")
    japanese = Sentence("日本語をご希望の方は、9を押してください。", "Polly.Mizuki", "ja-JP")
    root = xml(twiml.menu(sentences=[english, japanese], menu_url="/ivr/menu", listening=ENGLISH))
    (gather,) = root
    assert [
        (say.text, say.get("voice"), say.get("language"), say.get("loop")) for say in gather
    ] == [
        (english.text, "alice", "en-GB", None),
        (japanese.text, "Polly.Mizuki", "ja-JP", None),
    ] * 3


def test_the_planet_directory_says_the_sentence_before_the_gather():
    root = xml(
        twiml.planet_directory(
            sentences=[Sentence("Press 3.")],
            planets_url="/ivr/planets",
            listening=ENGLISH,
            before=[Sentence("Oops.")],
        )
    )
    assert [child.tag for child in root] == ["Say", "Gather"]
    assert root[0].text == "Oops."
    assert root[1].get("action") == "/ivr/planets"
    assert [say.text for say in root[1]] == ["Press 3."]


def test_dial_connects_the_number_and_reports_to_the_action():
    root = xml(twiml.dial(number="+17262043675", action_url="/ivr/dialed?planet=1"))
    (dial,) = root
    assert dial.tag == "Dial"
    assert dial.text == "+17262043675"
    assert dial.attrib == {"action": "/ivr/dialed?planet=1", "method": "POST"}


def test_say_and_redirect_ends_with_a_redirect():
    root = xml(twiml.say_and_redirect(sentence=Sentence("Back."), url="/ivr/welcome"))
    assert [child.tag for child in root] == ["Say", "Redirect"]
    assert root[1].text == "/ivr/welcome"


def test_markup_and_non_ascii_in_staff_text_stay_valid_xml():
    text = "Fish & chips <on> \"Mars\" 'now' — Ünïcødé 👽"
    root = xml(twiml.say_and_hang_up(sentence=Sentence(text)))
    assert root[0].text == text


def test_hints_lose_their_commas_duplicates_and_empty_phrases():
    listening = twiml.Listening("ja-JP", ("ダゴバ", "Dagobah, please", "ダゴバ", " ", "x" * 300))
    root = xml(twiml.planet_directory(sentences=[], planets_url="/p", listening=listening))
    gather = root.find("Gather")
    assert gather.get("language") == "ja-JP"
    assert gather.get("hints") == "ダゴバ, Dagobah please, " + "x" * twiml.HINT_LENGTH


def test_a_gather_without_hints_has_no_hints_attribute():
    root = xml(twiml.planet_directory(sentences=[], planets_url="/p", listening=ENGLISH))
    assert "hints" not in root.find("Gather").attrib


def test_confirm_asks_inside_a_gather_after_an_optional_sentence():
    root = xml(
        twiml.confirm(
            sentence=Sentence("Did you say Dagobah?"),
            confirm_url="/ivr/confirm?planet=2",
            listening=twiml.Listening("en-GB", ("yes", "no")),
            before=Sentence("Sorry."),
        )
    )
    assert [child.tag for child in root] == ["Say", "Gather"]
    gather = root[1]
    assert (gather.get("action"), gather.get("input"), gather.get("hints")) == (
        "/ivr/confirm?planet=2",
        "dtmf speech",
        "yes, no",
    )
    assert [say.text for say in gather] == ["Did you say Dagobah?"]


def test_voicemail_offer_says_why_then_asks_inside_a_gather_of_a_key_or_words():
    root = xml(
        twiml.voicemail_offer(
            sentence=Sentence("To leave a message, press 1.", "", "ja-JP"),
            offered_url="/ivr/voicemail/offered?planet=2",
            listening=twiml.Listening("ja-JP", ("メッセージ",)),
            before=[Sentence("Closed now."), Sentence("It opens on Monday.")],
        )
    )
    assert [child.tag for child in root] == ["Say", "Say", "Gather"]
    gather = root[2]
    assert (gather.get("action"), gather.get("language"), gather.get("hints")) == (
        "/ivr/voicemail/offered?planet=2",
        "ja-JP",
        "メッセージ",
    )
    assert (gather.get("numDigits"), gather.get("actionOnEmptyResult")) == ("1", "true")
    assert [say.text for say in gather] == ["To leave a message, press 1."]


def test_voicemail_record_beeps_finishes_on_pound_and_goes_on_when_nothing_was_said():
    root = xml(
        twiml.voicemail_record(
            before=Sentence("After the tone."),
            action_url="/ivr/voicemail/recorded",
            recording_status_url="https://ivr.example/ivr/voicemail/recording?planet=2",
            max_seconds=60,
            no_message_url="/ivr/planets",
        )
    )
    assert [child.tag for child in root] == ["Say", "Record", "Redirect"]
    record = root[1]
    assert record.get("maxLength") == "60"
    assert (record.get("playBeep"), record.get("finishOnKey")) == ("true", "#")
    assert record.get("transcribe") is None
    assert root[2].text == "/ivr/planets"


def test_a_sentence_with_a_recording_is_played_instead_of_said():
    recorded = Sentence("Hello.", "alice", "en-GB", "https://ivr.example.com/recordings/a.wav")
    (gather,) = xml(twiml.menu(sentences=[recorded], menu_url="/ivr/menu", listening=ENGLISH))
    (play,) = gather
    assert play.tag == "Play"
    assert play.text == "https://ivr.example.com/recordings/a.wav"
    assert play.get("loop") == "3"


def test_every_builder_says_it_returns_the_document_as_text():
    import inspect

    builders = [f for name, f in vars(twiml).items() if hasattr(f, "cache_info")]
    assert len(builders) > 5
    for builder in builders:
        assert builder.__annotations__["return"] is str, builder.__name__
        assert inspect.signature(builder.__wrapped__).return_annotation is twiml.VoiceResponse
