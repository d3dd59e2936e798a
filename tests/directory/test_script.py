"""What a caller hears is decided by the Script, from plain values, without a database."""

from types import MappingProxyType

import pytest

from directory.models import BUILT_IN_GREETING, PROMPT_DEFAULTS, Action, Prompt
from directory.nodes import LanguageOption, MenuNode, OptionNode, PlanetOption, Sentence
from directory.script import Script

ENGLISH = LanguageOption("en-GB", "English", "alice")
JAPANESE = LanguageOption("ja-JP", "日本語", "Polly.Mizuki")
KEY = Prompt.Key
DIRECTIONS = OptionNode(
    key="1",
    action=Action.ANNOUNCE,
    read_out=False,
    announcement=MappingProxyType(
        {"en-GB": (("{directions}", "", ""), ("Thank you for calling.", "", ""))}
    ),
)
MAIN = MenuNode(
    slug="main",
    name="Main menu",
    prompts=MappingProxyType(
        {"en-GB": ("Welcome.", "", ""), "ja-JP": ("お電話ありがとうございます。", "", "")}
    ),
    options=(
        DIRECTIONS,
        OptionNode(key="2", action=Action.DIRECTORY, read_out=False),
        OptionNode(key="8", action=Action.LANGUAGE, target_language="en-GB"),
        OptionNode(key="9", action=Action.LANGUAGE, target_language="ja-JP"),
    ),
)


def planet(pk, name, key, names, *, is_active=True):
    return PlanetOption(pk, name, key, "+17262043675", is_active, MappingProxyType(names))


def script(**changes) -> Script:
    values = {
        "languages": [(ENGLISH, True), (JAPANESE, False)],
        "numbers": {"+81335550100": "ja-JP"},
        "prompts": {
            **{(key, "en-GB"): (text, "") for key, text in PROMPT_DEFAULTS.items()},
            (KEY.PLANET_OPTION, "ja-JP"): (
                "{planet}に電話をかけるには、{key}を押してください。",
                "",
            ),
            (KEY.LANGUAGE_OPTION, "ja-JP"): ("日本語をご希望の方は、{key}を押してください。", ""),
        },
        "directions": {"en-GB": ("Turn left at the moon.", "")},
        "menus": [MAIN],
        "entry": "main",
        "planets": [
            planet(1, "Brodo Asogi", "2", {"en-GB": "the planet Broh doe As O G"}),
            planet(2, "Dagobah", "3", {"en-GB": "the planet DuhGo bah", "ja-JP": "惑星ダゴバ"}),
            planet(3, "Hoth", "4", {}, is_active=False),
        ],
    }
    return Script.of(**{**values, **changes})


def test_the_greeting_offers_each_other_language_in_its_own_words_and_voice():
    sentences = script().wording(ENGLISH).menu_sentences(MAIN)
    assert sentences[1] == Sentence(
        "日本語をご希望の方は、9を押してください。", "Polly.Mizuki", "ja-JP"
    )
    assert len(sentences) == 2


def test_a_japanese_caller_is_offered_english_in_english():
    sentences = script().wording(JAPANESE).menu_sentences(MAIN)
    assert sentences == [
        Sentence("お電話ありがとうございます。", "Polly.Mizuki", "ja-JP"),
        Sentence("For English, press 8.", "alice", "en-GB"),
    ]


def test_a_missing_translation_falls_back_to_the_default_languages_words_and_voice():
    wording = script().wording(JAPANESE)
    assert wording.sentence(KEY.GOODBYE) == Sentence(PROMPT_DEFAULTS[KEY.GOODBYE], "alice", "en-GB")
    assert wording.announcement(DIRECTIONS)[0] == Sentence(
        "Turn left at the moon.", "alice", "en-GB"
    )


def test_a_missing_spoken_name_falls_back_to_the_default_languages_then_the_planets_name():
    sentences = script().wording(JAPANESE).directory_sentences()
    assert [sentence.text for sentence in sentences[:2]] == [
        "the planet Broh doe As O Gに電話をかけるには、2を押してください。",
        "惑星ダゴバに電話をかけるには、3を押してください。",
    ]
    no_names = script(planets=[planet(1, "Dagobah", "3", {})])
    assert no_names.wording(ENGLISH).directory_sentences()[0].text == "To call Dagobah, press 3."


def test_a_prompt_missing_everywhere_is_the_demos_words():
    wording = script(prompts={}).wording(JAPANESE)
    assert wording.sentence(KEY.NO_INPUT) == Sentence(
        PROMPT_DEFAULTS[KEY.NO_INPUT], "alice", "en-GB"
    )


def test_the_planet_directory_reads_active_planets_in_order_then_the_star_line():
    sentences = script().wording(ENGLISH).directory_sentences()
    assert [sentence.text for sentence in sentences] == [
        "To call the planet Broh doe As O G, press 2.",
        "To call the planet DuhGo bah, press 3.",
        "To go back to the main menu, press the star key.",
    ]


def test_the_planet_directory_starts_with_a_non_empty_introduction():
    prompts = {(KEY.DIRECTORY_INTRO, "en-GB"): ("The directory.", "")}
    sentences = script(prompts=prompts).wording(ENGLISH).directory_sentences()
    assert sentences[0].text == "The directory."


def test_fill_does_not_evaluate_format_fields_staff_typed():
    sentence = Sentence("{planet} {0.__class__} {key}").fill(planet="Dagobah")
    assert sentence.text == "Dagobah {0.__class__} {key}"


def test_a_dial_to_an_inactive_planet_still_names_it_and_a_deleted_one_is_not_named():
    wording = script().wording(ENGLISH)
    assert wording.dial_failed(3).text == "We could not reach Hoth."
    assert wording.dial_failed(99) is None
    assert wording.planet_for_key("4") is None


@pytest.mark.parametrize(
    ("requested", "called", "expected"),
    [
        pytest.param("", "+14155550100", ENGLISH, id="unlisted-number"),
        pytest.param("", "+81335550100", JAPANESE, id="japanese-number"),
        pytest.param("ja-JP", "+14155550100", JAPANESE, id="chosen"),
        pytest.param("en-GB", "+81335550100", ENGLISH, id="chosen-on-japanese-number"),
        pytest.param("xx-XX", "+81335550100", JAPANESE, id="unknown-code"),
        pytest.param("ja-JP' OR 1=1", "", ENGLISH, id="hostile"),
    ],
)
def test_the_call_language_is_the_one_asked_for_if_known_else_the_numbers(
    requested, called, expected
):
    assert script().call_language(requested=requested, called=called) == expected


def test_without_any_language_or_menu_the_line_speaks_the_demos_english():
    empty = script(languages=[], prompts={}, directions={}, planets=[], menus=[])
    assert empty.default.code == "en-GB"
    assert empty.entry.slug == "main"
    assert empty.wording(empty.default).menu_sentences(empty.entry) == [
        Sentence(BUILT_IN_GREETING, "alice", "en-GB")
    ]
    assert [option.key for option in empty.entry.options] == ["1", "2"]


def test_with_no_language_marked_default_the_first_stands_in():
    assert script(languages=[(JAPANESE, False), (ENGLISH, False)]).default == JAPANESE


def test_the_voicemail_offer_names_the_planet_in_the_call_language_unless_it_takes_none():
    quiet = PlanetOption(
        4, "Tatooine", "5", "+1555", True, MappingProxyType({}), takes_voicemail=False
    )
    prompts = {
        (KEY.VOICEMAIL_OFFER, "ja-JP"): ("{planet}に伝言を残すには、1を押してください。", "")
    }
    wording = script(
        prompts={**script().prompts, **prompts}, planets=[*script().planets.values(), quiet]
    ).wording(JAPANESE)
    offer = wording.voicemail_offer(2)
    assert (offer.text, offer.language) == (
        "惑星ダゴバに伝言を残すには、1を押してください。",
        "ja-JP",
    )
    assert wording.voicemail_offer(4) is None
    assert wording.voicemail_offer(99) is None


def test_a_recording_is_heard_at_the_calls_base_url_in_its_own_language():
    recorded = script(prompt_recordings={(KEY.GOODBYE, "en-GB"): "/recordings/a.wav"})
    wording = recorded.wording(JAPANESE, base_url="https://ivr.example.com")
    assert wording.sentence(KEY.GOODBYE) == Sentence(
        PROMPT_DEFAULTS[KEY.GOODBYE], "alice", "en-GB", "https://ivr.example.com/recordings/a.wav"
    )


def test_a_sentence_whose_placeholders_are_filled_is_spoken_not_played():
    sentence = Sentence("To call {planet}, press {key}.", recording="https://x/recordings/a.wav")
    assert sentence.fill(planet="Hoth", key="4").recording == ""
    assert sentence.fill(other="x").recording == "https://x/recordings/a.wav"


def test_the_directions_recording_is_heard_where_the_directions_are():
    recorded = script(directions_recordings={"en-GB": "/recordings/d.mp3"})
    (directions, thanks) = recorded.wording(JAPANESE, base_url="http://h").announcement(DIRECTIONS)
    assert directions.recording == "http://h/recordings/d.mp3"
    assert thanks.recording == ""


def test_lines_are_kept_per_language_and_base_url_and_their_menus_are_fresh_lists():
    line = script()
    english = line.wording(ENGLISH, base_url="https://ivr.example.com")
    assert line.wording(ENGLISH, base_url="https://ivr.example.com") is english
    assert line.wording(JAPANESE, base_url="https://ivr.example.com") is not english
    assert line.wording(ENGLISH, base_url="https://other.example.com") is not english
    # What a caller hears is computed once per script, and handed out as the caller's own.
    heard = english.directory_sentences(read_at_most=1)
    heard.clear()
    greeting = english.menu_sentences(MAIN)
    greeting.append(Sentence("Not said."))
    assert english.directory_sentences(read_at_most=1) == script().wording(
        ENGLISH
    ).directory_sentences(read_at_most=1)
    assert english.directory_sentences() != english.directory_sentences(read_at_most=1)
    assert Sentence("Not said.") not in english.menu_sentences(MAIN)
    # Another script (the directory changed) keeps wording of its own.
    assert script().wording(ENGLISH, base_url="https://ivr.example.com") is not english
