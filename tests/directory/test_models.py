"""The directory's rules hold in the database itself, and explain themselves to staff."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from directory.models import (
    Action,
    CalledNumber,
    Directions,
    Language,
    Option,
    OptionWord,
    Planet,
    PlanetAlias,
    PlanetName,
    Prompt,
    PromptText,
)
from tests.factories import (
    default_language,
    main_menu,
    make_directions,
    make_language,
    make_menu,
    make_option,
    make_planet,
)

pytestmark = pytest.mark.django_db


def test_two_active_planets_cannot_share_a_key_in_the_database():
    make_planet(name="Dagobah", key="3")
    with pytest.raises(IntegrityError), transaction.atomic():
        Planet.objects.create(name="Hoth", key="3", phone_number="+14155550100")


def test_an_inactive_planet_may_keep_a_key_an_active_one_uses():
    make_planet(name="Dagobah", key="3")
    hoth = make_planet(name="Hoth", key="3", is_active=False)
    assert hoth.pk is not None


def test_the_key_clash_error_names_the_planet_that_has_the_key():
    make_planet(name="Dagobah", key="3")
    with pytest.raises(ValidationError) as error:
        make_planet(name="Hoth", key="3")
    assert error.value.message_dict["key"] == [
        "Extension 3 is already used by the active planet “Dagobah”. "
        "Choose another extension, or deactivate “Dagobah” first."
    ]


@pytest.mark.parametrize("key", ["*", "#", "a", "", "1a", "a1", " 12", "12345", "1-2"])
def test_an_extension_must_be_1_to_4_digits_in_the_database(key):
    # Five digits break the constraint on SQLite, the column's length on PostgreSQL.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Planet.objects.create(name="X", key=key, phone_number="+14155550100")


@pytest.mark.parametrize("key", ["0", "7", "42", "204", "0999", "9999"])
def test_extensions_of_1_to_4_digits_are_accepted_by_the_database(key):
    assert Planet.objects.create(name="X", key=key, phone_number="+14155550100").pk


@pytest.mark.parametrize("key", ["*", "#", "12345", "1 2", "３"])
def test_an_extension_other_than_1_to_4_digits_is_a_form_error(key):
    with pytest.raises(ValidationError) as error:
        make_planet(key=key)
    assert "An extension is 1 to 4 digits, e.g. 3 or 204." in error.value.message_dict["key"]


def test_an_extension_that_starts_with_another_is_refused_naming_the_other():
    make_planet(name="Dagobah", key="1")
    with pytest.raises(ValidationError) as error:
        make_planet(name="Hoth", key="12")
    assert error.value.message_dict["key"] == [
        "12 starts with 1, the extension of “Dagobah”: a caller who enters 1 reaches "
        "“Dagobah” and never this planet."
    ]


def test_an_extension_another_starts_with_is_refused_naming_the_other():
    make_planet(name="Dagobah", key="204")
    with pytest.raises(ValidationError) as error:
        make_planet(name="Hoth", key="20")
    assert error.value.message_dict["key"] == [
        "204, the extension of “Dagobah”, starts with 20: a caller who enters 20 would never "
        "reach “Dagobah”."
    ]


def test_prefixes_of_inactive_planets_and_mere_shared_digits_are_allowed():
    make_planet(name="Dagobah", key="1", is_active=False)
    make_planet(name="Hoth", key="21")
    assert make_planet(name="Endor", key="12").pk
    assert make_planet(name="Bespin", key="212", is_active=False).pk


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+1 (726) 204-3675", "+17262043675"),
        ("726-204-3675", "+17262043675"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_stored_in_e164(typed, stored):
    assert make_planet(phone_number=typed).phone_number == stored


@pytest.mark.parametrize("typed", ["12345", "not a number", "+1 555", "+999 123 456 7890"])
def test_an_invalid_phone_number_is_a_form_error_with_an_example(typed):
    with pytest.raises(ValidationError) as error:
        make_planet(phone_number=typed)
    (message,) = error.value.message_dict["phone_number"]
    assert f"“{typed}” is not a valid phone number" in message
    assert "+19295566487" in message


def test_a_number_not_in_e164_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Planet.objects.create(name="X", key="5", phone_number="7262043675")


def test_at_most_one_directions_version_is_in_use_per_language_in_the_database():
    make_directions(in_use=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_directions(in_use=True)


def test_each_language_may_have_its_own_directions_in_use():
    make_directions(in_use=True)
    make_directions(in_use=True, language=make_language(code="ja-JP"))
    assert Directions.objects.filter(in_use=True).count() == 2


def test_many_versions_may_wait_out_of_use():
    make_directions(in_use=True)
    make_directions()
    make_directions()
    assert Directions.objects.filter(in_use=False).count() == 2


def test_at_most_one_language_is_the_default_in_the_database():
    default_language()
    with pytest.raises(IntegrityError), transaction.atomic():
        Language.objects.create(code="ja-JP", name="日本語", is_default=True)


def test_a_prompt_has_one_text_per_language_and_a_planet_one_name():
    prompt = Prompt.objects.create(key=Prompt.Key.GOODBYE)
    english = default_language()
    PromptText.objects.create(prompt=prompt, language=english, text="Bye.")
    with pytest.raises(IntegrityError), transaction.atomic():
        PromptText.objects.create(prompt=prompt, language=english, text="Bye again.")
    planet = make_planet(name="Dagobah")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanetName.objects.create(planet=planet, language=english, spoken_name="Dagobah")


def test_prompts_are_one_per_moment():
    Prompt.objects.create(key=Prompt.Key.GOODBYE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Prompt.objects.create(key=Prompt.Key.GOODBYE)


def test_an_unknown_moment_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Prompt.objects.create(key="sing_a_song")


def text(key: str, words: str) -> PromptText:
    return PromptText(
        prompt=Prompt.objects.get_or_create(key=key)[0], language=default_language(), text=words
    )


def test_only_the_planet_menu_introduction_may_be_empty():
    text(Prompt.Key.DIRECTORY_INTRO, "").full_clean()
    with pytest.raises(ValidationError) as error:
        text(Prompt.Key.NO_INPUT, "").full_clean()
    assert error.value.message_dict["text"] == [
        "Only the planet directory introduction may be empty."
    ]


def test_an_unknown_placeholder_is_a_form_error_listing_the_known_ones():
    with pytest.raises(ValidationError) as error:
        text(Prompt.Key.DIAL_FAILED, "We could not reach {planit}.").full_clean()
    assert error.value.message_dict["text"] == [
        "Unknown placeholder {planit}. This prompt can use {planet}."
    ]


def test_an_invalid_language_tag_is_a_form_error():
    with pytest.raises(ValidationError) as error:
        make_language(code="English please")
    assert "code" in error.value.message_dict


def test_natural_keys_round_trip():
    planet = make_planet(name="Dagobah")
    directions = make_directions(name="Bike route")
    prompt = text(Prompt.Key.GOODBYE, "Bye.")
    prompt.save()
    number = CalledNumber.objects.create(number="+81335550100", language=default_language())
    for row in (planet, directions, prompt, prompt.prompt, planet.names.get(), number):
        assert type(row).objects.get_by_natural_key(*row.natural_key()) == row


def test_a_planet_has_each_alias_once_per_language_in_the_database():
    planet, english = make_planet(), default_language()
    PlanetAlias.objects.create(planet=planet, language=english, phrase="Dagoba")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanetAlias.objects.create(planet=planet, language=english, phrase="Dagoba")


def test_a_menu_has_one_option_per_key_in_the_database():
    menu = main_menu()
    with pytest.raises(IntegrityError), transaction.atomic():
        Option.objects.create(menu=menu, key="1", action=Action.HANG_UP)


@pytest.mark.parametrize(
    ("action", "targets"),
    [
        (Action.MENU, {}),
        (Action.PLANET, {}),
        (Action.LANGUAGE, {}),
        (Action.VOICEMAIL, {}),
        (Action.DIRECTORY, {"target_language_id": "language"}),
        (Action.HANG_UP, {"target_planet_id": "planet"}),
        (Action.PLANET, {"target_planet_id": "planet", "target_menu_id": "menu"}),
    ],
)
def test_an_option_has_the_one_target_its_action_needs_in_the_database(action, targets):
    menu, planet, language = main_menu(), make_planet(), default_language()
    rows = {"menu": menu.pk, "planet": planet.pk, "language": language.pk}
    with pytest.raises(IntegrityError), transaction.atomic():
        Option.objects.create(
            menu=menu,
            key="5",
            action=action,
            **{field: rows[row] for field, row in targets.items()},
        )


def test_an_option_missing_its_target_is_a_form_error_naming_the_field():
    option = Option(menu=main_menu(), key="0", action=Action.PLANET, target_menu=main_menu())
    with pytest.raises(ValidationError) as error:
        option.full_clean()
    assert error.value.message_dict == {
        "target_planet": ["“Put the caller through to a planet” needs this."],
        "target_menu": ["Leave this empty: “Put the caller through to a planet” does not use it."],
    }


def test_one_phrase_chooses_one_option_of_a_menu():
    english, menu = default_language(), main_menu()
    OptionWord.objects.create(option=menu.options.get(key="1"), language=english, phrase="the way")
    words = OptionWord(option=menu.options.get(key="2"), language=english, phrase="The Way")
    with pytest.raises(ValidationError) as error:
        words.full_clean()
    assert error.value.message_dict["phrase"] == [
        "These words already choose another option of this menu."
    ]
    # Another menu may use the same words.
    other = make_option(menu=make_menu(), key="1", action=Action.DIRECTORY)
    OptionWord(option=other, language=english, phrase="the way").full_clean()


def test_a_message_option_needs_a_planet_that_takes_messages():
    quiet = make_planet(name="Hoth", key="4", takes_voicemail=False)
    option = Option(menu=main_menu(), key="7", action=Action.VOICEMAIL, target_planet=quiet)
    with pytest.raises(ValidationError) as error:
        option.full_clean()
    assert error.value.message_dict == {
        "target_planet": ["Hoth takes no messages: tick “voicemail” on the planet first."]
    }
