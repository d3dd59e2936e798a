from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    CalledNumber,
    Closure,
    Directions,
    Language,
    MenuAlias,
    OpeningHours,
    Planet,
    PlanetAlias,
    PlanetName,
    Prompt,
    PromptText,
)
from .selectors import script_get
from .services import directions_put_in_use, directions_take_out_of_use, language_make_default


def _codes(languages) -> str:
    return ", ".join(language.code for language in languages) or "—"


class MissingInFilter(admin.SimpleListFilter):
    """Rows that have no words yet in a language (the related name of those words varies)."""

    title = _("missing in")
    parameter_name = "missing_in"
    related = ""

    def lookups(self, request, model_admin):
        return [(language.code, str(language)) for language in Language.objects.all()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.exclude(**{f"{self.related}__language__code": self.value()})


class PromptMissingFilter(MissingInFilter):
    related = "texts"


class PlanetMissingFilter(MissingInFilter):
    related = "names"


class MissingColumn:
    """A list column naming the languages a row has no words in yet."""

    related = ""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(f"{self.related}__language")

    def changelist_view(self, request, extra_context=None):
        self._languages = list(Language.objects.all())
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("missing in"))
    def missing_in(self, obj):
        present = {words.language_id for words in getattr(obj, self.related).all()}
        return _codes(language for language in self._languages if language.pk not in present)


class MenuAliasInline(admin.TabularInline):
    model = MenuAlias
    extra = 0
    fields = ["choice", "phrase"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "voice", "welcome_key", "is_default", "position", "missing"]
    list_editable = ["position"]
    ordering = ["position", "code"]
    readonly_fields = ["is_default"]
    fields = ["code", "name", "voice", "welcome_key", "position", "is_default"]
    actions = ["make_default"]
    inlines = [MenuAliasInline]

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
class CalledNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "language"]
    list_filter = ["language"]
    search_fields = ["number"]
    ordering = ["number"]


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
class PlanetAdmin(MissingColumn, admin.ModelAdmin):
    related = "names"
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
    ]
    inlines = [PlanetNameInline, PlanetAliasInline, OpeningHoursInline, ClosureInline]

    def changelist_view(self, request, extra_context=None):
        # The preview is built by the same code as the call, so it is exactly what callers hear.
        script = script_get()
        reads = settings.IVR_PLANET_MENU_READS
        extra_context = {
            **(extra_context or {}),
            "planet_menu_previews": [
                (language, script.lines(language).planet_menu(read_at_most=reads))
                for language in script.languages
            ],
        }
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(Directions)
class DirectionsAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "in_use", "voice", "updated_at"]
    list_filter = ["language", "in_use"]
    search_fields = ["name", "text"]
    ordering = ["language", "-in_use", "name"]
    readonly_fields = ["in_use", "updated_at"]
    fields = ["language", "name", "text", "voice", "in_use", "updated_at"]
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
    fields = ["language", "text", "voice"]


@admin.register(Prompt)
class PromptAdmin(MissingColumn, admin.ModelAdmin):
    related = "texts"
    list_display = ["key", "default_text", "missing_in"]
    list_filter = [PromptMissingFilter]
    search_fields = ["texts__text"]
    ordering = ["key"]
    fields = ["key"]
    inlines = [PromptTextInline]

    def get_readonly_fields(self, request, obj=None):
        return ["key"] if obj else []

    @admin.display(description=_("text in the default language"))
    def default_text(self, prompt):
        return next((text.text for text in prompt.texts.all() if text.language.is_default), "—")
