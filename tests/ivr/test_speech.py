"""Matching what a caller said to a planet or a menu choice, in English and Japanese."""

import pytest

from ivr.speech import Candidate, Choices, reading, said_digits

CANDIDATES = [
    Candidate("planet:dagobah", ("Dagobah", "the planet DuhGo bah", "ダゴバ"), key="3"),
    Candidate("planet:tatooine", ("Tatooine", "タトゥイーン"), key="4"),
    Candidate("planet:earth", ("Earth", "地球"), key="12"),
    Candidate("choice:directions", ("directions", "道案内", "行き方"), key="1"),
    Candidate("choice:planets", ("planets", "惑星の一覧"), key="2"),
]


@pytest.fixture(scope="module")
def english():
    return Choices(CANDIDATES, language="en-GB")


@pytest.fixture(scope="module")
def japanese():
    return Choices(CANDIDATES, language="ja-JP")


def test_a_name_said_exactly_matches_with_full_score(english):
    heard = english.match("Dagobah")
    assert (heard.target, heard.score) == ("planet:dagobah", 100.0)
    assert heard.runner_up < 50


def test_filler_around_a_name_is_ignored(english):
    assert english.match("I'd like to call the planet Dagobah, please").target == "planet:dagobah"
    assert english.match("Dagobah please").score == 100.0


def test_a_misheard_name_still_matches_but_with_a_lower_score(english):
    heard = english.match("tattooine")
    assert heard.target == "planet:tatooine"
    assert 80 <= heard.score < 100


@pytest.mark.parametrize(
    ("said", "target"),
    [
        ("three", "planet:dagobah"),
        ("3", "planet:dagobah"),
        ("number four", "planet:tatooine"),
        ("one two", "planet:earth"),
        ("extension 12", "planet:earth"),
    ],
)
def test_numbers_said_as_words_pick_that_key(english, said, target):
    heard = english.match(said)
    assert (heard.target, heard.by_key) == (target, True)


def test_a_number_no_choice_has_matches_nothing(english):
    heard = english.match("seven")
    assert (heard.target, heard.by_key) == (None, True)


@pytest.mark.parametrize("said", ["ダゴバ", "だごば", "ダゴバにつないでください", "Dagobah"])
def test_japanese_is_compared_on_readings(japanese, said):
    assert japanese.match(said).target == "planet:dagobah"


def test_a_kanji_name_matches_its_reading_in_hiragana(japanese):
    assert japanese.match("ちきゅう").target == "planet:earth"
    assert japanese.match("地球でお願いします").target == "planet:earth"


@pytest.mark.parametrize(
    ("said", "target"),
    [("さん", "planet:dagobah"), ("3番", "planet:dagobah"), ("いちに", "planet:earth")],
)
def test_japanese_numbers_pick_that_key(japanese, said, target):
    assert japanese.match(said).target == target


def test_menu_choices_match_their_words_in_each_language(english, japanese):
    assert english.match("directions").target == "choice:directions"
    assert japanese.match("行き方").target == "choice:directions"


@pytest.mark.parametrize(
    "said", ["", "   ", "please", "\x00\r\n" + "x" * 1_000_000, "日本語", "🚀🚀", "<Say>"]
)
def test_noise_matches_nothing_or_scores_low(english, said):
    heard = english.match(said)
    assert heard.target is None or heard.score < 60


def test_readings_unify_katakana_hiragana_and_kanji():
    assert reading("ダゴバ") == reading("だごば") == "だごば"
    assert reading("地球") == "ちきゅう"


def test_said_digits_is_none_for_words_that_are_not_numbers():
    assert said_digits("Dagobah", language="en-GB") is None
    assert said_digits("ダゴバ", language="ja-JP") is None


def test_a_filler_word_said_alone_is_what_the_caller_meant(english):
    assert english.match("planets").target == "choice:planets"
    assert english.match("the planets please").target == "choice:planets"


def script_with(*planets):
    from types import MappingProxyType

    from directory.nodes import LanguageOption, PlanetOption
    from directory.script import Script

    options = [
        PlanetOption(
            pk, name, key, "+17262043675", True, MappingProxyType({}), MappingProxyType(aliases)
        )
        for pk, name, key, aliases in planets
    ]
    languages = [(LanguageOption("en-GB", "English", "alice"), True)]
    return Script.of(languages=languages, numbers={}, prompts={}, directions={}, planets=options)


def test_a_vocabulary_is_built_once_per_script_and_language():
    from ivr.speech import vocabulary

    script = script_with((1, "Dagobah", "3", {}))
    wording = script.wording(script.default)
    assert vocabulary(wording) is vocabulary(script.wording(script.default))
    other = script_with((1, "Dagobah", "3", {"en-GB": ("Yoda's swamp",)}))
    rebuilt = vocabulary(other.wording(other.default))
    assert rebuilt is not vocabulary(wording)
    assert rebuilt.planets.match("Yoda's swamp").target == "planet:1"


def test_the_planet_directory_vocabulary_hears_names_aliases_keys_and_back():
    from ivr.speech import understand, vocabulary

    script = script_with((1, "Dagobah", "3", {"en-GB": ("Yoda's swamp",)}), (2, "Hoth", "4", {}))
    words = vocabulary(script.wording(script.default))
    assert "Yoda's swamp" in words.planet_hints
    heard = [
        understand(words.planets, said, confidence=0.9, threshold=0.7)
        for said in ("yodas swamp please", "four", "go back", "purple")
    ]
    assert [(u.target, u.sure) for u in heard] == [
        ("planet:1", True),
        ("planet:2", True),
        ("*", True),
        (None, False),
    ]


def test_low_confidence_or_a_close_second_makes_a_match_unsure():
    from ivr.speech import understand, vocabulary

    script = script_with((1, "Dagobah", "3", {}), (2, "Dagobar", "4", {}))
    words = vocabulary(script.wording(script.default))
    assert understand(words.planets, "Hoth", confidence=0.9, threshold=0.7).target is None
    close = understand(words.planets, "Dagoba", confidence=0.99, threshold=0.7)
    assert (close.target, close.sure) == ("planet:1", False)
    script = script_with((1, "Dagobah", "3", {}))
    words = vocabulary(script.wording(script.default))
    assert understand(words.planets, "Dagobah", confidence=0.5, threshold=0.7).sure is False
    assert understand(words.planets, "Dagobah", confidence=0.5, threshold=0.4).sure is True
