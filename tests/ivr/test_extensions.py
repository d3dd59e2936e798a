"""Planets have extensions of 1 to 4 digits; the planet directory waits for exactly what they
need."""

import pytest
from django.urls import reverse

from tests.conftest import parse_twiml, spoken
from tests.factories import make_planet

pytestmark = pytest.mark.django_db

DAGOBAH = "+17262043675"
HOTH = "+14155550100"


def planet_directory(client):
    return parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "2"}))


def press(client, digits, **params):
    return parse_twiml(client.post(reverse("ivr:planets"), {"Digits": digits, **params}))


def dialed(root) -> str | None:
    dial = root.find("Dial")
    return dial.text if dial is not None else None


@pytest.fixture
def same_length(db):
    make_planet(name="Dagobah", key="204", phone_number=DAGOBAH)
    make_planet(name="Hoth", key="310", phone_number=HOTH, position=20)


@pytest.fixture
def mixed_lengths(db):
    make_planet(name="Dagobah", key="3", phone_number=DAGOBAH)
    make_planet(name="Hoth", key="41", phone_number=HOTH, position=20)


def test_extensions_of_one_length_complete_the_gather_at_that_length(client, same_length):
    gather = planet_directory(client).find("Gather")
    assert gather.get("numDigits") == "3"
    assert gather.get("finishOnKey") is None
    assert gather.get("timeout") == "5"


def test_extensions_of_one_length_need_no_hash_key_sentence(client, same_length):
    assert "After the extension, press the hash key." not in spoken(planet_directory(client))


def test_extensions_of_several_lengths_end_with_hash_or_a_short_pause(client, mixed_lengths):
    gather = planet_directory(client).find("Gather")
    assert gather.get("numDigits") is None
    assert gather.get("finishOnKey") == "#"
    assert gather.get("timeout") == "3"


def test_extensions_of_several_lengths_are_explained_before_star(client, mixed_lengths):
    assert spoken(planet_directory(client).find("Gather"))[-2:] == [
        "After the extension, press the hash key.",
        "To go back to the main menu, press the star key.",
    ]


def test_an_extension_is_read_digit_by_digit(client, same_length):
    assert spoken(planet_directory(client))[0] == "To call the planet Dagobah, press 2 0 4."


@pytest.mark.parametrize(("digits", "number"), [("204", DAGOBAH), ("310", HOTH)])
def test_an_extension_of_several_digits_dials_its_planet(client, same_length, digits, number):
    assert dialed(press(client, digits)) == number


@pytest.mark.parametrize(("digits", "number"), [("3", DAGOBAH), ("41", HOTH)])
def test_extensions_of_different_lengths_each_dial_their_planet(
    client, mixed_lengths, digits, number
):
    assert dialed(press(client, digits)) == number


@pytest.mark.parametrize("digits", ["20", "2040", "999", "12345", "2*4", "20 4"])
def test_digits_that_are_no_extension_say_so_and_repeat_the_menu(client, same_length, digits):
    root = press(client, digits)
    assert dialed(root) is None
    assert spoken(root)[0] == "Sorry, that key is not on the menu."
    assert root.find("Gather").get("numDigits") == "3"


def test_star_still_goes_back_with_longer_extensions(client, same_length):
    root = press(client, "*")
    assert spoken(root) == ["Returning to the main menu."]


@pytest.mark.parametrize("words", ["two oh four", "two zero four", "extension 2 0 4"])
def test_an_extension_said_as_numbers_dials_its_planet(client, same_length, words):
    root = parse_twiml(
        client.post(reverse("ivr:planets"), {"SpeechResult": words, "Confidence": "0.9"})
    )
    assert dialed(root) == DAGOBAH


def test_the_demo_directory_still_completes_at_one_key(client, demo):
    assert planet_directory(client).find("Gather").get("numDigits") == "1"
