"""What the admin's lists take from a query string, beyond Django's own checks.

Django refuses a number too large for its column in a lookup on the model's own integer fields,
but not through a relation: ?planet=99999999999999999999999 reaches the database, and SQLite
fails with a server error. The admins mix in InRange, which answers such a lookup with 400, as
Django answers any lookup it does not allow.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models.constants import LOOKUP_SEP


def fields_on(model, path: str) -> list:
    """The fields a lookup or search path (planet__id__exact, names__spoken_name) goes through,
    following relations, up to the first part that is not a field (a lookup such as exact)."""
    fields = []
    for part in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        fields.append(field)
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return fields


def models_on(model, path: str) -> list:
    """The other models whose rows a path reads."""
    return [field.related_model for field in fields_on(model, path) if field.is_relation]


def _last_field(model, lookup: str):
    """The column a lookup compares with its value: a relation's is the one it points at."""
    fields = fields_on(model, lookup)
    if not fields:
        return None
    field = fields[-1]
    return field.target_field if field.is_relation else field


def in_range(field, value) -> bool:
    """Whether every number in a lookup's value (one, or several for __in) fits the field's
    column; a value that is not a number is left to Django."""
    if field is None or field.get_internal_type() not in connection.ops.integer_field_ranges:
        return True
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    for part in str(value).split(","):
        try:
            number = int(part)
        except ValueError:
            continue
        if (low is not None and number < low) or (high is not None and number > high):
            return False
    return True


class InRange:
    """A ModelAdmin mixin: no query-string lookup with a number its column cannot hold."""

    def lookup_allowed(self, lookup, value, request=None):
        if not in_range(_last_field(self.model, lookup), value):
            return False
        return super().lookup_allowed(lookup, value, request)
