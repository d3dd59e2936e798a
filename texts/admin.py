"""The texts sent to callers, in the admin: a list of their own and a section of each call's
page. The caller's number is shown only to staff who may see caller numbers."""

from django.contrib import admin
from django.db.models import F, Value
from django.db.models.functions import Concat, Right
from django.utils.translation import gettext_lazy as _

from calllog.admin import CALLER_PERMISSION, CallAdmin
from directory.querystrings import fields_on

from .models import SentText

NUMBER_FIELD = SentText._meta.get_field("to_number")
SHOWN = ["requested_at", "menu", "key", "language", "body", "status", "error_code", "error"]


class Recipient:
    """The caller's number, or its last four digits for staff who may not see it: worked out
    by the query (admin methods are shared by every request)."""

    def get_queryset(self, request):
        texts = super().get_queryset(request)
        if request.user.has_perm(CALLER_PERMISSION):
            return texts.annotate(recipient_shown=F("to_number"))
        return texts.annotate(recipient_shown=Concat(Value("•••"), Right("to_number", 4)))

    @admin.display(description=_("to"))
    def recipient(self, text):
        return text.recipient_shown


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SentTextInline(Recipient, ReadOnly, admin.TabularInline):
    """The texts a call sent, on its page (for staff who may view texts sent)."""

    model = SentText
    extra = 0
    ordering = ["requested_at"]

    fields = [*SHOWN[:5], "recipient", *SHOWN[5:]]
    readonly_fields = fields


# The call log's pages know nothing of texts: this room adds its section to them.
CallAdmin.inlines = [*CallAdmin.inlines, SentTextInline]


@admin.register(SentText)
class SentTextAdmin(Recipient, ReadOnly, admin.ModelAdmin):
    list_filter = ["status", ("requested_at", admin.DateFieldListFilter), "language"]
    search_fields = ["call__call_sid", "message_sid"]
    list_per_page = 50

    list_display = ["requested_at", "call", "recipient", "status", "error_code", "menu", "key"]
    fields = ["call", "message_sid", "recipient", "from_number", *SHOWN]
    readonly_fields = fields

    def lookup_allowed(self, lookup, value, request=None):
        # A masked number must not be read back through the query string a digit at a time.
        if NUMBER_FIELD in fields_on(self.model, lookup) and not (
            request and request.user.has_perm(CALLER_PERMISSION)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)
