"""calls_insert() (generate_calls' bulk write) writes each call and step as saving it would."""

from datetime import UTC, datetime, timedelta

import pytest
from django.forms.models import model_to_dict

from calllog.models import Call, Step
from calllog.writer import calls_insert, steps_summary
from directory.models import Planet

STARTED = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)


def fields_of(row) -> dict:
    """Every field's value but the id the database gives."""
    values = model_to_dict(row, fields=[f.name for f in type(row)._meta.concrete_fields])
    values.pop("id", None)
    return values


@pytest.mark.django_db
def test_calls_and_steps_read_back_as_they_were_made(demo):
    dagobah = Planet.objects.get(name="Dagobah")
    steps = [
        Step(call_id="CA-made", sequence=1, kind=Step.Kind.MENU_KEY, digits="2", menu="main",
             outcome=Step.Outcome.CHOSE, option="2", next_menu="", created_at=STARTED),
        Step(call_id="CA-made", sequence=2, kind=Step.Kind.PLANET_KEY, digits=dagobah.key,
             planet_id=dagobah.pk, created_at=STARTED + timedelta(seconds=5)),
        Step(call_id="CA-made", sequence=3, kind=Step.Kind.DIAL_OUTCOME, planet_id=dagobah.pk,
             dial_status="busy", dial_duration=None, created_at=STARTED + timedelta(seconds=9)),
    ]  # fmt: skip
    made = Call(
        call_sid="CA-made",
        from_number="+19295550123",
        to_number="+18005550100",
        started_at=STARTED,
        ended_at=STARTED + timedelta(seconds=40),
        status="completed",
        duration=40,
        first_menu="main",
        **steps_summary(steps, first_menu="main"),
    )
    plain = Call(call_sid="CA-plain", started_at=STARTED, ended_at=None, duration=None)
    calls_insert(calls=[made, plain], steps=steps)
    for call in (made, plain):
        assert fields_of(Call.objects.get(call_sid=call.call_sid)) == fields_of(call)
    written = Step.objects.filter(call_id="CA-made").order_by("sequence")
    assert [fields_of(step) for step in written] == [fields_of(step) for step in steps]
