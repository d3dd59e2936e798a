from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ivr.twiml import planet_menu_sentences

from .models import Directions, Planet, Prompt
from .selectors import script_get
from .services import directions_put_in_use, directions_take_out_of_use


@admin.register(Planet)
class PlanetAdmin(admin.ModelAdmin):
    list_display = ["name", "spoken_name", "key", "phone_number", "is_active", "position"]
    list_display_links = ["name"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["name", "spoken_name", "phone_number"]
    ordering = ["position", "key", "name"]
    fieldsets = [
        (None, {"fields": ["name", "spoken_name", "key", "phone_number"]}),
        (_("In the menu"), {"fields": ["is_active", "position"]}),
        (_("Voicemail"), {"fields": ["takes_voicemail", "contact_email"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        # The preview is built by the same code as the call, so it is exactly what callers hear.
        script = script_get()
        extra_context = {
            **(extra_context or {}),
            "planet_menu_preview": planet_menu_sentences(
                prompts=script.prompts, planets=script.planets
            ),
        }
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(Directions)
class DirectionsAdmin(admin.ModelAdmin):
    list_display = ["name", "in_use", "voice", "language", "updated_at"]
    list_filter = ["in_use"]
    search_fields = ["name", "text"]
    ordering = ["-in_use", "name"]
    readonly_fields = ["in_use", "updated_at"]
    fields = ["name", "text", "voice", "language", "in_use", "updated_at"]
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
        directions_take_out_of_use()
        self.message_user(
            request,
            gettext("No directions are in use: callers hear the 'no directions in use' prompt."),
            messages.WARNING,
        )


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ["key", "text", "voice", "language"]
    list_editable = ["text"]
    search_fields = ["text"]
    ordering = ["key"]
    fields = ["key", "text", "voice", "language"]

    def get_readonly_fields(self, request, obj=None):
        return ["key"] if obj else []
