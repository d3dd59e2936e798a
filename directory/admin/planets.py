"""The admin's pages for planets: names, aliases, opening hours and closures."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    Closure,
    OpeningHours,
    Planet,
    PlanetAlias,
    PlanetName,
    PromptText,
)
from ..resources import PlanetResource
from ..selectors import script_get
from .base import HistoryAdmin, MissingColumn, PlanetMissingFilter, may_view
from .imports import GuardedImportExport


class PlanetNameInline(admin.TabularInline):
    model = PlanetName
    extra = 0
    fields = ["language", "spoken_name"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    fields = ["weekday", "opens", "closes"]


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0
    fields = ["first_day", "last_day", "reason"]


class PlanetAliasInline(admin.TabularInline):
    model = PlanetAlias
    extra = 0
    fields = ["language", "phrase"]


@admin.register(Planet)
class PlanetAdmin(GuardedImportExport, MissingColumn, HistoryAdmin):
    related = "names"
    # The list keeps its planet directory preview (under the import and export buttons).
    resource_classes = [PlanetResource]
    change_list_template = "admin/directory/planet/change_list.html"
    list_display = ["name", "key", "phone_number", "is_active", "position", "missing_in"]
    list_display_links = ["name"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active", PlanetMissingFilter]
    search_fields = ["name", "names__spoken_name", "aliases__phrase", "phone_number"]
    ordering = ["position", "key", "name"]
    fieldsets = [
        (None, {"fields": ["name", "key", "phone_number"]}),
        (_("In the menu"), {"fields": ["is_active", "position"]}),
        (
            _("Opening hours"),
            {
                "fields": ["time_zone", "holidays_country"],
                "description": _(
                    "A planet with no opening hours below is always open. Outside them, a "
                    "caller who chooses it hears when it opens next."
                ),
            },
        ),
        (_("Voicemail"), {"fields": ["takes_voicemail", "contact_email"]}),
    ]
    inlines = [PlanetNameInline, PlanetAliasInline, OpeningHoursInline, ClosureInline]
    history_inlines = [
        (PlanetName, "planet"),
        (PlanetAlias, "planet"),
        (OpeningHours, "planet"),
        (Closure, "planet"),
    ]

    import_permission = "directory.import_planet"
    export_permission = "directory.export_planet"
    # An import writes planets and sets their spoken names, aliases and hours to the file's.
    import_writes = [
        (Planet, ["add", "change"]),
        (PlanetName, ["add", "change", "delete"]),
        (PlanetAlias, ["add", "change", "delete"]),
        (OpeningHours, ["add", "change", "delete"]),
    ]
    export_reads = [Planet, PlanetName, PlanetAlias, OpeningHours]

    def changelist_view(self, request, extra_context=None):
        # The preview is built by the same code as the call, so it is exactly what callers hear.
        # It says the spoken names and the prompts' words: for logins that may see them.
        previews = []
        if may_view(request.user, PlanetName) and may_view(request.user, PromptText):
            script = script_get()
            reads = settings.IVR_PLANET_DIRECTORY_READS
            previews = [
                (language, script.wording(language).directory_sentences(read_at_most=reads))
                for language in script.languages
            ]
        extra_context = {**(extra_context or {}), "directory_previews": previews}
        return super().changelist_view(request, extra_context=extra_context)
