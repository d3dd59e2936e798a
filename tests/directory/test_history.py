"""Every directory change is kept with who made it, shown as a diff, and can be reverted."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.urls import reverse
from simple_history.models import HistoricalChanges

from directory import selectors
from directory.models import Directions, Planet, PlanetAlias, PlanetName
from directory.triggers import directory_tables
from tests.admin_forms import form_fields
from tests.conftest import parse_twiml, spoken
from tests.directory.test_admin import PLANET_EDITOR, ErrorList
from tests.factories import make_directions, make_staff

pytestmark = pytest.mark.django_db

HISTORY_EDITOR = (*PLANET_EDITOR, "directory.view_planetalias", "directory.change_planetalias")
HISTORY_EDITOR += ("directory.delete_planetalias", "directory.delete_planetname")
# Bringing a deleted alias back adds it.
HISTORY_EDITOR += ("directory.add_planetalias",)


@pytest.fixture
def editor(client, demo):
    client.force_login(make_staff(username="mara", permissions=HISTORY_EDITOR))
    return client


def dagobah() -> Planet:
    return Planet.objects.get(name="Dagobah")


def inline_prefix(html: str, formset: str, row) -> str:
    """The prefix (e.g. names-0) of a row's inline form on a change page."""
    fields = form_fields(html)
    return next(
        name.removesuffix("-id")
        for name, value in fields.items()
        if name.startswith(f"{formset}-") and name.endswith("-id") and value == str(row.pk)
    )


def english_name() -> PlanetName:
    return PlanetName.objects.get(planet=dagobah(), language__code="en-GB")


def rename_in_the_admin(client, spoken_name: str):
    url = reverse("admin:directory_planet_change", args=[dagobah().pk])
    html = client.get(url).content.decode()
    data = form_fields(html) | {
        f"{inline_prefix(html, 'names', english_name())}-spoken_name": spoken_name
    }
    response = client.post(url, data | {"_save": "Save"})
    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors


def planet_directory(client) -> list[str]:
    return spoken(parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "2"})).find("Gather"))


def test_the_revision_triggers_leave_the_history_tables_out():
    tables = directory_tables()
    assert "directory_planet" in tables
    assert [table for table in tables if "historical" in table] == []


def test_writing_history_rows_leaves_the_revision_token_alone(demo):
    history = Planet.history.model
    assert issubclass(history, HistoricalChanges)
    before = selectors.revision_get()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {history._meta.db_table} SET id = id")
    assert selectors.revision_get() == before


def test_a_fixture_load_is_kept_in_the_history(demo):
    record = english_name().history.get()
    assert (record.history_type, record.history_change_reason) == ("+", "loaddata")


def test_a_spoken_name_changed_in_the_admin_is_in_the_planets_history_with_who_changed_it(editor):
    rename_in_the_admin(editor, "the swamp planet")

    response = editor.get(reverse("admin:directory_planet_history", args=[dagobah().pk]))

    assert response.status_code == HTTPStatus.OK
    latest = response.context["inline_changes"][0]
    assert latest["record"].history_user.username == "mara"
    assert latest["changes"] == [
        {"field": "Spoken as", "old": "the planet DuhGo bah", "new": "the swamp planet"}
    ]
    assert "the planet DuhGo bah" in response.content.decode()


def test_reverting_a_spoken_name_in_the_admin_is_heard_on_the_next_call(editor):
    old = english_name().history.get()
    rename_in_the_admin(editor, "the swamp planet")
    assert "To call the swamp planet, press 3." in planet_directory(editor)

    url = reverse("admin:directory_planetname_simple_history", args=[old.id, old.history_id])
    response = editor.post(url, form_fields(editor.get(url).content.decode()) | {"_save": "Revert"})

    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    assert response["Location"] == reverse("admin:directory_planet_history", args=[dagobah().pk])
    assert "To call the planet DuhGo bah, press 3." in planet_directory(editor)
    assert english_name().history.first().history_user.username == "mara"


def test_a_planets_own_field_is_reverted_from_its_history(editor):
    planet = dagobah()
    old = planet.history.get()
    url = reverse("admin:directory_planet_change", args=[planet.pk])
    editor.post(url, form_fields(editor.get(url).content.decode()) | {"key": "7", "_save": "Save"})
    assert [r.history_user.username for r in planet.history.all()[:1]] == ["mara"]

    url = reverse("admin:directory_planet_simple_history", args=[planet.pk, old.history_id])
    editor.post(url, form_fields(editor.get(url).content.decode()) | {"_save": "Revert"})

    assert dagobah().key == "3"
    assert "To call the planet DuhGo bah, press 3." in planet_directory(editor)


def test_a_deleted_alias_is_restored_from_the_history(editor):
    alias = PlanetAlias.objects.filter(planet=dagobah()).first()
    old = alias.history.get()
    alias.delete()

    url = reverse("admin:directory_planetalias_simple_history", args=[old.id, old.history_id])
    response = editor.post(url, form_fields(editor.get(url).content.decode()) | {"_save": "Revert"})

    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    assert PlanetAlias.objects.get(pk=old.id).phrase == old.phrase


def test_putting_directions_in_use_is_kept_with_who_did_it(client, demo):
    client.force_login(make_staff(permissions=("directory.change_directions",)))
    winter = make_directions(name="Winter route", text="Take the sledge.")
    client.post(
        reverse("admin:directory_directions_changelist"),
        {"action": "put_in_use", "_selected_action": [winter.pk]},
    )
    retired = Directions.objects.get(language__code="en-GB", in_use=False, name__contains="Bike")
    for directions in (winter, retired):
        assert directions.history.first().history_user.username == "staff"
        assert directions.history.first().history_type == "~"


def test_staff_without_the_rows_permissions_do_not_see_their_changes(client, demo):
    client.force_login(make_staff(permissions=("directory.view_planet",)))
    response = client.get(reverse("admin:directory_planet_history", args=[dagobah().pk]))
    assert response.status_code == HTTPStatus.OK
    assert response.context["inline_changes"] == []


@pytest.mark.parametrize(
    "permissions",
    [
        ("directory.view_planet",),
        ("directory.view_planet", "directory.view_historicalplanet"),
    ],
)
def test_a_view_only_login_cannot_revert_a_planet_by_posting_the_form(client, demo, permissions):
    planet = dagobah()
    planet.phone_number = "+14155550123"
    planet.save()
    old = planet.history.last()
    client.force_login(make_staff(username="viewer", permissions=permissions))
    url = reverse("admin:directory_planet_simple_history", args=[planet.pk, old.history_id])
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert 'name="_save"' not in page.content.decode()

    response = client.post(url, form_fields(page.content.decode()) | {"_save": "Revert"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert dagobah().phone_number == "+14155550123"
    assert planet.history.count() == 2


def test_a_view_only_login_cannot_revert_what_the_greeting_says(client, demo):
    from directory.models import MenuPrompt

    text = MenuPrompt.objects.get(menu__slug="main", language__code="en-GB")
    old = text.history.get()
    text.text = "Hello, stranded traveller."
    text.save()
    client.force_login(make_staff(username="viewer", permissions=("directory.view_menuprompt",)))
    url = reverse("admin:directory_menuprompt_simple_history", args=[text.pk, old.history_id])

    response = client.post(
        url,
        {
            "menu": text.menu_id,
            "language": text.language_id,
            "text": old.text,
            "_save": "Revert",
        },
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    text.refresh_from_db()
    assert text.text == "Hello, stranded traveller."


def test_bringing_back_a_deleted_row_needs_the_permission_to_add_it(client, demo):
    alias = PlanetAlias.objects.filter(planet=dagobah()).first()
    version, pk = alias.history.get(), alias.pk
    alias.delete()
    changer = ("directory.view_planetalias", "directory.change_planetalias")
    client.force_login(make_staff(username="changer", permissions=changer))
    url = reverse("admin:directory_planetalias_simple_history", args=[pk, version.history_id])
    fields = form_fields(client.get(url).content.decode())

    response = client.post(url, fields | {"_save": "Revert"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not PlanetAlias.objects.filter(pk=pk).exists()


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "path",
    ["abc/history/", "abc/history/1/", "1/history/abc/", f"{HUGE}/history/", f"1/history/{HUGE}/"],
)
def test_a_history_url_with_an_id_that_is_not_one_is_not_found(editor, path):
    response = editor.get(reverse("admin:directory_planet_changelist") + path)

    assert response.status_code == HTTPStatus.NOT_FOUND
