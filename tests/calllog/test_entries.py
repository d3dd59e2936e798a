"""An entry as it is spooled: stamped with its type and time, its texts cut to their columns."""

from calllog.entries import keep, type_of
from calllog.models import Call, Step, Utterance


def kept(model, **fields) -> dict:
    """The entry keep() hands to a writer, there being no spool."""
    written = []
    keep(None, written.extend, "step", model, **fields)
    (entry,) = written
    return entry


def test_an_entry_is_stamped_with_its_type_and_time():
    entry = kept(Step, call_sid="CA1", digits="2")
    assert type_of(entry) == "step"
    assert set(entry) == {"type", "at", "call_sid", "digits"}


def test_a_steps_and_an_utterances_call_sid_is_cut_to_their_calls():
    """Their CallSid column is a relation to the call's: its limit is the call's."""
    limit = Call._meta.get_field("call_sid").max_length
    for model in (Step, Utterance, Call):
        assert kept(model, call_sid="C" * (limit + 10))["call_sid"] == "C" * limit
    assert kept(Step, no_such_field="x" * 500)["no_such_field"] == "x" * 500
