"""The directory is read once per change: a revision token, bumped by database triggers in the
same transaction as any change, tells every process when to read it again."""

from datetime import date, time

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.urls import reverse
from simple_history.models import HistoricalChanges

from directory import selectors
from directory.models import (
    CalledNumber,
    Closure,
    Language,
    MenuPrompt,
    OpeningHours,
    Option,
    OptionText,
    Planet,
    PlanetName,
    Revision,
)
from tests.conftest import parse_twiml, spoken
from tests.factories import make_planet

pytestmark = pytest.mark.django_db


def dialed(client) -> str:
    return parse_twiml(client.post(reverse("ivr:planets"), {"Digits": "3"})).find("Dial").text


def greeting(client) -> str:
    return spoken(parse_twiml(client.post(reverse("ivr:welcome"))))[0]


def test_an_unchanged_directory_is_read_once(demo, django_assert_num_queries):
    selectors.script_get()
    with django_assert_num_queries(1):  # the revision token alone
        script = selectors.script_get()
    assert selectors.script_get() is script


def test_reading_the_script_takes_the_same_few_queries_however_many_planets(
    demo, django_assert_num_queries
):
    # One per directory model (see selectors.DIRECTORY_MODELS) and the revision.
    with django_assert_num_queries(17):
        selectors.script_read()
    for n in range(40):
        active = n < 6
        key = "056789"[n] if active else "1"
        make_planet(name=f"Extra {n}", key=key, is_active=active, position=100 + n)
    with django_assert_num_queries(17):
        script = selectors.script_read()
    assert len(script.planets) == 43


def test_a_bulk_update_is_heard_by_the_next_call(client, demo):
    assert dialed(client) == "+17262043675"
    Planet.objects.filter(key="3").update(phone_number="+14155550100")
    assert dialed(client) == "+14155550100"


def test_a_raw_sql_update_from_a_shell_is_heard_by_the_next_call(client, demo):
    greeting(client)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE directory_menuprompt SET text = %s WHERE id = %s",
            [
                "Raw hello.",
                MenuPrompt.objects.get(menu__slug="main", language__code="en-GB").pk,
            ],
        )
    assert greeting(client) == "Raw hello."


def test_loaddata_again_after_an_edit_is_heard_by_the_next_call(client, demo):
    Planet.objects.filter(key="3").update(phone_number="+14155550100")
    assert dialed(client) == "+14155550100"
    call_command("loaddata", "demo", verbosity=0)
    assert dialed(client) == "+17262043675"


def test_a_delete_is_heard_by_the_next_call(client, demo):
    menu = spoken(parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "2"})))
    assert "To call the planet DuhGo bah, press 3." in menu
    PlanetName.objects.filter(planet__key="3").delete()
    menu = spoken(parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "2"})))
    assert "To call Dagobah, press 3." in menu


@pytest.mark.parametrize(
    "model",
    [
        m
        for m in apps.get_app_config("directory").get_models()
        if m is not Revision and not issubclass(m, HistoricalChanges)
    ],
    ids=lambda model: model.__name__,
)
def test_every_directory_table_changes_the_token_on_a_raw_update(demo, model):
    CalledNumber.objects.create(number="+81335550100", language=Language.objects.first())
    dagobah = Planet.objects.get(name="Dagobah")
    OpeningHours.objects.create(planet=dagobah, weekday=0, opens=time(9), closes=time(17))
    Closure.objects.create(
        planet=dagobah, first_day=date(2026, 12, 25), last_day=date(2026, 12, 26)
    )
    OptionText.objects.create(
        option=Option.objects.get(menu__slug="main", key="1"),
        language=Language.objects.first(),
        text="For directions, press {key}.",
    )
    before = selectors.revision_get()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {model._meta.db_table} SET id = id")
    assert selectors.revision_get() != before


def test_a_rolled_back_change_leaves_the_token_as_it_was(demo):
    from django.db import transaction

    before = selectors.revision_get()
    try:
        with transaction.atomic():
            Planet.objects.update(position=1)
            assert selectors.revision_get() != before
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert selectors.revision_get() == before


def test_without_the_revision_row_the_directory_is_read_every_time(
    client, demo, django_assert_num_queries
):
    Revision.objects.all().delete()
    assert selectors.revision_get() is None
    with django_assert_num_queries(18):
        selectors.script_get()
    Planet.objects.filter(key="3").update(phone_number="+14155550100")
    assert dialed(client) == "+14155550100"


@pytest.mark.django_db(transaction=True)
def test_a_failed_revision_read_is_djangos_error_and_marks_the_connection(demo):
    # The read goes to the database driver itself (directory.selectors.revision_get).
    table = Revision._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        with pytest.raises(DatabaseError):
            selectors.revision_get()
        # Marked, so that after the request Django closes the connection unless it is usable.
        assert connection.errors_occurred
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
    connection.close_if_unusable_or_obsolete()
    assert selectors.revision_get() is not None


@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_failing_its_health_check_is_renewed_before_the_read(demo):
    if connection.vendor == "sqlite":
        pytest.skip("an SQLite connection is always usable: Django checks no health there")
    selectors.revision_get()
    connection.health_check_enabled, connection.health_check_done = True, False
    connection.connection.close()
    try:
        assert selectors.revision_get() is not None
    finally:
        connection.health_check_enabled = False


def test_query_watchers_see_the_revision_read(demo):
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        token = selectors.revision_get()
    assert token is not None
    assert ['"directory_revision"' in sql for sql in seen] == [True]
