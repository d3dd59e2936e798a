"""The demo fixture seeds a fresh database and can be loaded again harmlessly."""

import pytest
from django.core.management import call_command
from django.db import transaction

from directory.models import (
    PROMPT_DEFAULTS,
    Directions,
    Language,
    Planet,
    PlanetName,
    Prompt,
    PromptText,
    Revision,
)
from tests import conftest

pytestmark = pytest.mark.django_db


def directory_rows():
    return (
        sorted(Language.objects.values_list("code", "name", "voice", "is_default")),
        sorted(Planet.objects.values_list("pk", "key", "name", "phone_number")),
        sorted(PlanetName.objects.values_list("pk", "planet__name", "language", "spoken_name")),
        sorted(Directions.objects.values_list("pk", "language__code", "name", "in_use")),
        sorted(PromptText.objects.values_list("pk", "prompt__key", "language", "text", "voice")),
    )


def test_loaddata_demo_seeds_the_three_destinations_in_english_and_japanese():
    call_command("loaddata", "demo", verbosity=0)
    languages, planets, names, directions, texts = directory_rows()
    assert languages == [
        ("en-GB", "English", "alice", True),
        ("ja-JP", "日本語", "Polly.Mizuki", False),
    ]
    assert [planet[1:] for planet in planets] == [
        ("2", "Brodo Asogi", "+19295566487"),
        ("3", "Dagobah", "+17262043675"),
        ("4", "Oober asteroid", "+16513582243"),
    ]
    english = Language.objects.get(code="en-GB").pk
    assert sorted(name[1::2] for name in names if name[2] == english) == [
        ("Brodo Asogi", "the planet Broh doe As O G"),
        ("Dagobah", "the planet DuhGo bah"),
        ("Oober asteroid", "an oober asteroid to your location"),
    ]
    assert PlanetName.objects.get(planet__name="Dagobah", language__code="ja-JP").spoken_name == (
        "惑星ダゴバ"
    )
    assert [row[1:] for row in directions] == [
        ("en-GB", "Bike route (demo)", True),
        ("ja-JP", "自転車ルート（デモ）", True),
    ]


def test_the_demo_has_every_prompt_in_every_language():
    call_command("loaddata", "demo", verbosity=0)
    for language in Language.objects.all():
        keys = set(
            PromptText.objects.filter(language=language).values_list("prompt__key", flat=True)
        )
        assert keys == set(PROMPT_DEFAULTS), language
        assert PlanetName.objects.filter(language=language).count() == Planet.objects.count()


def test_the_demos_english_is_the_built_in_english():
    call_command("loaddata", "demo", verbosity=0)
    english = dict(
        PromptText.objects.filter(language__code="en-GB").values_list("prompt__key", "text")
    )
    assert english == PROMPT_DEFAULTS


def test_loaddata_demo_changes_the_revision_token():
    before = Revision.objects.get().token
    call_command("loaddata", "demo", verbosity=0)
    assert Revision.objects.get().token != before


def test_loaddata_demo_twice_changes_nothing():
    call_command("loaddata", "demo", verbosity=0)
    first = directory_rows()
    call_command("loaddata", "demo", verbosity=0)
    assert directory_rows() == first


def test_the_demo_rows_pass_the_models_own_validation():
    call_command("loaddata", "demo", verbosity=0)
    for model in (Language, Planet, PlanetName, Directions, Prompt, PromptText):
        for row in model.objects.all():
            row.full_clean()


def test_load_demo_fills_an_empty_directory(capsys):
    call_command("load_demo")
    assert Planet.objects.count() == 3
    assert "Loaded the demo directory." in capsys.readouterr().out


def test_load_demo_never_overwrites_what_staff_edited(capsys):
    call_command("load_demo")
    Planet.objects.filter(name="Dagobah").update(phone_number="+14155550100")
    Prompt.objects.filter(key="goodbye").delete()
    call_command("load_demo")
    assert Planet.objects.get(name="Dagobah").phone_number == "+14155550100"
    assert not Prompt.objects.filter(key="goodbye").exists()
    assert Language.objects.count() == 2
    assert "already has data" in capsys.readouterr().out


def test_the_suites_demo_fixture_writes_again_what_loaddata_wrote(monkeypatch):
    """tests/conftest.py's demo fixture copies loaddata's rows into later tests: every row of
    the directory (histories too) is the same, the token changes, new rows take new keys."""
    monkeypatch.setattr(conftest, "_loaded_rows", {})
    states = []
    for _ in ("loaddata", "the copy"):
        with transaction.atomic():
            token = Revision.objects.get().token
            conftest.loaddata_once("demo")
            assert Revision.objects.get().token != token
            rows = conftest._fingerprint(conftest._directory_rows())
            added = Language.objects.create(code="fr-FR", name="French", voice="Polly.Lea")
            states.append((rows, added.pk))
            transaction.set_rollback(True)
    assert list(conftest._loaded_rows.values())[0]  # the second was the copy
    assert len(states[0][0]) > 111
    assert states[1] == states[0]
