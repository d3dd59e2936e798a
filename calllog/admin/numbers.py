"""Callers' numbers in the admin: shown only to staff with the permission, else masked."""

from directory.fields import masked
from directory.querystrings import fields_on

from ..models import Call

CALLER_PERMISSION = "calllog.view_caller_number"
CALLER_FIELD = Call._meta.get_field("from_number")


def caller_number(call: Call, *, can_see: bool) -> str:
    return call.from_number if can_see else masked(call.from_number)


class CallerNumberGuard:
    """For a login that may not see caller numbers, no query string reads them: Django's
    changelist takes any lookup on the model's own fields (from_number__startswith=+1415...),
    so a masked number could be read back a digit at a time. Search and sorting leave them out
    too (see get_search_fields); the list has no filter or date hierarchy on them."""

    def lookup_allowed(self, lookup, value, request=None):
        if CALLER_FIELD in fields_on(self.model, lookup) and not (
            request and request.user.has_perm(CALLER_PERMISSION)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)
