"""The admin's pages for languages and our numbers."""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    CalledNumber,
    Directions,
    Language,
    Planet,
    PlanetName,
    Prompt,
    PromptText,
)
from ..services import (
    language_make_default,
)
from .base import HistoryAdmin


@admin.register(Language)
class LanguageAdmin(HistoryAdmin):
    list_display = ["name", "code", "voice", "is_default", "position", "missing"]
    list_editable = ["position"]
    ordering = ["position", "code"]
    readonly_fields = ["is_default"]
    fields = ["code", "name", "voice", "position", "is_default"]
    actions = ["make_default"]

    def save_model(self, request, obj, form, change):
        # The line's first language is its default: a line always has one.
        if not Language.objects.filter(is_default=True).exclude(pk=obj.pk).exists():
            obj.is_default = True
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Make another language the default first: the line always has one.
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("missing"))
    def missing(self, language):
        prompts = Prompt.objects.exclude(
            Exists(PromptText.objects.filter(prompt=OuterRef("pk"), language=language))
        ).count()
        names = Planet.objects.exclude(
            Exists(PlanetName.objects.filter(planet=OuterRef("pk"), language=language))
        ).count()
        directions = not Directions.objects.filter(language=language, in_use=True).exists()
        return gettext(
            "%(prompts)s prompts, %(names)s planet names, directions in use: %(directions)s"
        ) % {
            "prompts": prompts,
            "names": names,
            "directions": gettext("missing") if directions else gettext("yes"),
        }

    @admin.action(description=_("Make the selected language the default"), permissions=["change"])
    def make_default(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Select exactly one language to make the default."), messages.ERROR
            )
            return
        language = queryset.get()
        language_make_default(language=language)
        self.message_user(
            request,
            gettext("%(language)s is now the line's default language.") % {"language": language},
            messages.SUCCESS,
        )


@admin.register(CalledNumber)
class CalledNumberAdmin(HistoryAdmin):
    list_display = ["number", "language", "entry_menu"]
    list_filter = ["language", "entry_menu"]
    search_fields = ["number"]
    ordering = ["number"]
