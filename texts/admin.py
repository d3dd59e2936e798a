"""The texts sent to callers, in the admin: a list of their own and a section of each call's
page. The caller's number is shown only to staff who may see caller numbers."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from calllog.admin import CALLER_PERMISSION, CallAdmin, masked
from directory.querystrings import fields_on

from .models import SentText

NUMBER_FIELD = SentText._meta.get_field("to_number")
SHOWN = ["requested_at", "menu", "key", "language", "body", "status", "error_code", "error"]


def _recipient(request):
    """The caller's number, or its last four digits for staff who may not see it."""
    can_see = request.user.has_perm(CALLER_PERMISSION)

    @admin.display(description=_("to"))
    def recipient(text):
        return text.to_number if can_see else masked(text.to_number)

    return recipient


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SentTextInline(ReadOnly, admin.TabularInline):
    """The texts a call sent, on its page (for staff who may view texts sent)."""

    model = SentText
    extra = 0
    ordering = ["requested_at"]

    def get_fields(self, request, obj=None):
        return [*SHOWN[:5], _recipient(request), *SHOWN[5:]]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


# The call log's pages know nothing of texts: this room adds its section to them.
CallAdmin.inlines = [*CallAdmin.inlines, SentTextInline]


@admin.register(SentText)
class SentTextAdmin(ReadOnly, admin.ModelAdmin):
    list_filter = ["status", ("requested_at", admin.DateFieldListFilter), "language"]
    search_fields = ["call__call_sid", "message_sid"]
    list_per_page = 50

    def get_list_display(self, request):
        return ["requested_at", "call", _recipient(request), "status", "error_code", "menu", "key"]

    def get_fields(self, request, obj=None):
        return ["call", "message_sid", _recipient(request), "from_number", *SHOWN]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def lookup_allowed(self, lookup, value, request=None):
        # A masked number must not be read back through the query string a digit at a time.
        if NUMBER_FIELD in fields_on(self.model, lookup) and not (
            request and request.user.has_perm(CALLER_PERMISSION)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)
