"""The demo fixture seeds a fresh database and can be loaded again harmlessly."""

import pytest
from django.core.management import call_command

from directory.models import PROMPT_DEFAULTS, Directions, Planet, Prompt

pytestmark = pytest.mark.django_db


def directory_rows():
    return (
        sorted(Planet.objects.values_list("key", "name", "spoken_name", "phone_number")),
        list(Directions.objects.values_list("name", "in_use")),
        sorted(Prompt.objects.values_list("key", "text")),
    )


def test_loaddata_demo_seeds_the_three_destinations():
    call_command("loaddata", "demo", verbosity=0)
    planets, directions, prompts = directory_rows()
    assert planets == [
        ("2", "Brodo Asogi", "the planet Broh doe As O G", "+19295566487"),
        ("3", "Dagobah", "the planet DuhGo bah", "+17262043675"),
        ("4", "Oober asteroid", "an oober asteroid to your location", "+16513582243"),
    ]
    assert directions == [("Bike route (demo)", True)]
    assert {key for key, _ in prompts} == set(PROMPT_DEFAULTS)


def test_loaddata_demo_twice_changes_nothing():
    call_command("loaddata", "demo", verbosity=0)
    first = directory_rows()
    call_command("loaddata", "demo", verbosity=0)
    assert directory_rows() == first


def test_the_demo_rows_pass_the_models_own_validation():
    call_command("loaddata", "demo", verbosity=0)
    for model in (Planet, Directions, Prompt):
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
    assert "already has data" in capsys.readouterr().out
