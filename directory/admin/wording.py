"""The admin's pages for what callers hear: the directions and the prompts."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    Directions,
    Prompt,
    PromptText,
)
from ..services import (
    directions_put_in_use,
    directions_take_out_of_use,
)
from .base import HistoryAdmin, MissingColumn, PromptMissingFilter, may_view


@admin.register(Directions)
class DirectionsAdmin(HistoryAdmin):
    list_display = ["name", "language", "in_use", "voice", "updated_at"]
    list_filter = ["language", "in_use"]
    search_fields = ["name", "text"]
    ordering = ["language", "-in_use", "name"]
    readonly_fields = ["in_use", "updated_at"]
    fields = ["language", "name", "text", "voice", "recording", "in_use", "updated_at"]
    actions = ["put_in_use", "take_out_of_use"]

    @admin.action(description=_("Put the selected version in use"), permissions=["change"])
    def put_in_use(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Select exactly one version to put in use."), messages.ERROR
            )
            return
        directions = queryset.get()
        directions_put_in_use(directions=directions)
        self.message_user(
            request,
            gettext("Callers now hear “%(directions)s”.") % {"directions": directions},
            messages.SUCCESS,
        )

    @admin.action(description=_("Take the directions out of use"), permissions=["change"])
    def take_out_of_use(self, request, queryset):
        directions_take_out_of_use(language_ids=list(queryset.values_list("language", flat=True)))
        self.message_user(
            request,
            gettext(
                "No directions are in use in those languages: callers hear the default "
                "language's, or the 'no directions in use' prompt."
            ),
            messages.WARNING,
        )


class PromptTextInline(admin.TabularInline):
    model = PromptText
    extra = 0
    fields = ["language", "text", "voice", "recording"]


@admin.register(Prompt)
class PromptAdmin(MissingColumn, HistoryAdmin):
    related = "texts"
    list_display = ["key", "default_text", "missing_in"]
    list_filter = [PromptMissingFilter]
    search_fields = ["texts__text"]
    ordering = ["key"]
    fields = ["key"]
    inlines = [PromptTextInline]
    history_inlines = [(PromptText, "prompt")]

    def get_readonly_fields(self, request, obj=None):
        return ["key"] if obj else []

    def get_list_display(self, request):
        # The texts are their own model's, with their own permission.
        shown = super().get_list_display(request)
        if may_view(request.user, PromptText):
            return shown
        return [column for column in shown if column != "default_text"]

    @admin.display(description=_("text in the default language"))
    def default_text(self, prompt):
        return next((text.text for text in prompt.texts.all() if text.language.is_default), "—")
