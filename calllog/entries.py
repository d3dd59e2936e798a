"""A spooled entry: what keep() stamps it with (its type, its request's time), its texts made
storable in the columns they go to, handed to a room's spool (calllog/spool.py)."""

from collections.abc import Callable
from functools import cache

from django.db import models
from django.utils import timezone

from directory.fields import storable

from .spool import Spool

# What keep() stamps every entry with: its type (what its writer does with it) and its
# request's time. Entries spooled before December 2026 name their type "record".
ENTRY_STAMPS = ("type", "at", "record")


def type_of(entry: dict) -> str:
    """What a spooled entry is (a call's start, a step, a recording...), for its writer."""
    return entry.get("type") or entry["record"]


def keep(
    spool: Spool | None,
    write: Callable[[list[dict]], None],
    entry_type: str,
    model: type[models.Model],
    **fields,
):
    """One entry of a type, stamped with its request's time, its texts made storable in the
    model's columns of their names: into this process's spool, or written at once where there
    is none (CALL_LOG_SPOOL_DIR unset, as in tests)."""
    entry = {"type": entry_type, "at": timezone.now().isoformat()}
    for name, value in fields.items():
        entry[name] = storable(value, _max_length(model, name)) if isinstance(value, str) else value
    if spool is not None:
        spool.append(entry)
    else:
        write([entry])


# Kept for ever: the models' columns change only with the code (a restart).
@cache
def _max_length(model: type[models.Model], name: str) -> int | None:
    """The length limit of the column an entry's value of this name goes to (a relation's by
    its column: a step's call_sid is its call's), or None."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.column):
            return (field.target_field if field.is_relation else field).max_length
    return None
