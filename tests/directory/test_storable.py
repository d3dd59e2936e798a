"""storable() makes what Twilio sends a text every database stores, whatever it holds."""

from hypothesis import given
from hypothesis import strategies as st

from directory.fields import storable

# Texts with NUL characters and lone surrogates among the rest (hypothesis's characters()
# leaves surrogates out unless asked for them alone).
ANY_TEXT = st.text(st.characters() | st.characters(categories=["Cs"]) | st.just("\x00"))


def test_nul_characters_are_removed():
    assert storable("+1929\x00555\x000123") == "+19295550123"


def test_lone_surrogates_are_removed_and_every_other_character_kept():
    assert storable("ダゴバ\ud800 please \udfff😀") == "ダゴバ please 😀"


def test_a_text_is_cut_to_its_column_after_cleaning():
    assert storable("x" * 40, 32) == "x" * 32
    assert storable("\x00\x00ab\x00c", 2) == "ab"


@given(ANY_TEXT, st.none() | st.integers(min_value=0, max_value=50))
def test_any_text_becomes_one_that_utf8_and_postgresql_take(text, max_length):
    cleaned = storable(text, max_length)

    assert "\x00" not in cleaned
    assert cleaned.encode("utf-8").decode("utf-8") == cleaned
    assert max_length is None or len(cleaned) <= max_length
    assert storable(cleaned, max_length) == cleaned


@given(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00")))
def test_a_text_that_is_storable_already_is_unchanged(text):
    assert storable(text) == text
