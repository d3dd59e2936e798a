import re
from datetime import timedelta
from zipfile import BadZipFile

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.tmp_storages import MediaStorage
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .models import (
    Announcement,
    CalledNumber,
    Closure,
    Directions,
    Language,
    Menu,
    MenuPrompt,
    OpeningHours,
    Option,
    OptionText,
    OptionWord,
    Planet,
    PlanetAlias,
    PlanetName,
    Prompt,
    PromptText,
    TextMessage,
)
from .picture import tree_picture
from .querystrings import InRange, in_range, models_on
from .resources import MenuResource, OptionResource, PlanetResource
from .selectors import menus_unreached, script_get
from .services import (
    directions_put_in_use,
    directions_take_out_of_use,
    language_make_default,
    menu_make_default,
)


def _has(user, model, action: str) -> bool:
    """Whether the user holds Django's permission for an action ("add", "view"...) on a model."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


def _can_view(user, model) -> bool:
    return _has(user, model, "view") or _has(user, model, "change")


def _id_or_404(field, value):
    """A row's id from a URL as its primary key takes it; any other text, or a number too
    large for the column, is not found (the history pages would otherwise fail with a server
    error)."""
    try:
        pk = field.to_python(value)
    except ValidationError as invalid:
        raise Http404 from invalid
    if not in_range(field, pk):
        raise Http404
    return pk


class HistoryAdmin(InRange, SimpleHistoryAdmin):
    """An admin with a history of every change (who, when, what), and a revert.

    Its history page also lists the changes to the rows edited inline on it (a planet's
    spoken names, a prompt's texts), each with a link to revert that row.
    """

    object_history_template = "admin/directory/history.html"
    object_history_list_template = "admin/directory/history_list.html"
    object_history_form_template = "admin/directory/history_form.html"
    # The inline rows' models, each with the name of its field pointing at this admin's row.
    history_inlines: list[tuple[type, str]] = []
    # The most changes of each inline model the page lists.
    history_inlines_shown = 100

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history only hides the Revert button from a login that may not change the
        # row; its form saves whatever is posted. A revert is a change (of a deleted row: an
        # addition), so it needs those permissions whatever the page showed.
        pk = _id_or_404(self.opts.pk, unquote(object_id))
        history_id = _id_or_404(self.model.history.model._meta.pk, version_id)
        if request.method == "POST":
            version = get_object_or_404(
                self.model.history, **{self.opts.pk.attname: pk, "history_id": history_id}
            )
            if not self.has_revert_permission(request, version.instance):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_search_fields(self, request):
        # A search through another model's rows (a planet's spoken names) would confirm what
        # those rows say to a login that may not see them.
        return [
            path
            for path in super().get_search_fields(request)
            if all(_can_view(request.user, model) for model in models_on(self.model, path))
        ]

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.has_revert_permission(request, obj)

    def has_revert_permission(self, request, obj) -> bool:
        """Change the row; a row deleted since needs the permission to add it back too (read
        from the user: inline rows are never added through their own admin page)."""
        if not self.has_change_permission(request, obj):
            return False
        if obj is None or self.model.objects.filter(pk=obj.pk).exists():
            return True
        return _has(request.user, self.model, "add")

    def history_view(self, request, object_id, extra_context=None):
        pk = _id_or_404(self.opts.pk, unquote(object_id))
        changes = [
            change
            for model, parent in self.history_inlines
            for change in self._inline_changes(request, model, {f"{parent}_id": pk})
        ]
        changes.sort(key=lambda change: change["record"].history_date, reverse=True)
        extra_context = {**(extra_context or {}), "inline_changes": changes}
        return super().history_view(request, object_id, extra_context)

    def _inline_changes(self, request, model, parent: dict) -> list[dict]:
        if not _can_view(request.user, model):
            return []
        records = list(
            model.history.filter(**parent)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[: self.history_inlines_shown]
        )
        changes = []
        for record in records:
            # The record before it, of the same row: the diff is what this change did.
            before = next(
                (r for r in records if r.id == record.id and r.history_date < record.history_date),
                None,
            )
            delta = before and record.diff_against(before, foreign_keys_are_objs=True)
            changes.append(
                {
                    "record": record,
                    "model": model._meta.verbose_name,
                    "changes": HistoricalRecordContextHelper(
                        model, record
                    ).context_for_delta_changes(delta)
                    if delta
                    else [],
                    "revert_url": reverse(
                        f"admin:directory_{model._meta.model_name}_simple_history",
                        args=[record.id, record.history_id],
                    ),
                }
            )
        return changes


class InlineRowAdmin(HistoryAdmin):
    """A row edited inline on its parent's page, registered only for its history and revert:
    not on the admin's index, and back to the parent's history after a revert."""

    parent = ""

    def get_readonly_fields(self, request, obj=None):
        return [self.parent]

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False

    def response_change(self, request, obj):
        parent = getattr(obj, self.parent)
        self.message_user(
            request,
            gettext("“%(row)s” is back as it was in that version.") % {"row": obj},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(f"admin:directory_{parent._meta.model_name}_history", args=[parent.pk])
        )


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


class ImportFiles(MediaStorage):
    """An import's upload between its preview and its confirmation: in the default storage
    (shared by every app server), in imports/, under a name we made (uuid4, 32 hex digits). The
    confirmation names the file in its POST, so any other name is refused: it cannot reach
    another file. A preview expires after a day; its file is deleted then by the next upload
    or confirmation."""

    FOLDER = "imports"
    NAME = re.compile(r"[0-9a-f]{32}")
    KEPT_FOR = timedelta(days=1)

    def __init__(self, **kwargs):
        super().__init__(**kwargs, MEDIA_FOLDER=self.FOLDER)
        if self.name is not None and not self.NAME.fullmatch(self.name):
            raise SuspiciousOperation(
                "An import confirmation named a file the import did not make."
            )

    def save(self, data):
        self._forget_old()
        super().save(data)

    def read(self):
        # A preview older than a day has expired, whether or not it is deleted yet.
        path = self.get_full_path()
        if self._storage.get_modified_time(path) < timezone.now() - self.KEPT_FOR:
            self._storage.delete(path)
            raise FileNotFoundError(path)
        return super().read()

    def _forget_old(self):
        if not self._storage.exists(self.FOLDER):
            return
        cutoff = timezone.now() - self.KEPT_FOR
        for name in self._storage.listdir(self.FOLDER)[1]:
            path = f"{self.FOLDER}/{name}"
            if self.NAME.fullmatch(name) and self._storage.get_modified_time(path) < cutoff:
                self._storage.delete(path)


class GuardedImportExport(ImportExportMixin):
    """Import (with a preview, all or nothing) and export as CSV or XLSX, each behind a
    permission of its own and those of every model it writes or reads.

    An admin names its permissions and the models: import_permission with import_writes (each
    model with the actions an import takes on it), export_permission with export_reads.
    """

    formats = [CSV, XLSX]
    tmp_storage_class = ImportFiles
    import_permission = ""
    export_permission = ""
    import_writes: list[tuple[type, list[str]]] = []
    export_reads: list[type] = []

    def has_import_permission(self, request):
        user = request.user
        return (
            bool(self.import_permission)
            and user.has_perm(self.import_permission)
            and all(
                _has(user, model, action)
                for model, actions in self.import_writes
                for action in actions
            )
        )

    def has_export_permission(self, request):
        # Viewing, as everywhere in the admin, is the view or the change permission.
        user = request.user
        return (
            bool(self.export_permission)
            and user.has_perm(self.export_permission)
            and all(_can_view(user, model) for model in self.export_reads)
        )

    def _import_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")

    def process_import(self, request, **kwargs):
        # The confirmation's format is the preview's; the library indexes its list with it.
        formats = range(len(self.get_import_formats()))
        if request.method == "POST" and request.POST.get("format") not in map(str, formats):
            raise BadRequest("An import confirmation named a format the import does not have.")
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # Confirmed twice, or the preview is older than a day.
            message = gettext(
                "Nothing was imported: the preview has expired. Import the file again."
            )
        except (ValueError, LookupError, BadZipFile, UnicodeError):
            # The file is not of the format posted (the preview read it as another).
            message = gettext("Nothing was imported: the file could not be read. Import it again.")
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(self._import_url())

    def get_export_queryset(self, request):
        # The export takes the list's filters from its query string: one the list would refuse
        # (?foo=1) is a bad request, not a server error.
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters as error:
            raise BadRequest(str(error)) from error

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing: a row refused while importing (the directory changed since the
        # preview) rolls back the rows before it too.
        return super().get_import_data_kwargs(**kwargs) | {"rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                gettext(
                    "Nothing was imported: the %(rows)s changed since the preview. "
                    "Import the file again to see what to correct."
                )
                % {"rows": self.opts.verbose_name_plural},
                messages.ERROR,
            )
            return HttpResponseRedirect(self._import_url())
        return super().process_result(result, request)


class MenuPromptInline(admin.TabularInline):
    model = MenuPrompt
    extra = 0
    fields = ["language", "text", "voice", "recording"]


class OptionInline(admin.TabularInline):
    model = Option
    fk_name = "menu"
    extra = 0
    fields = [
        "key",
        "position",
        "action",
        "target_menu",
        "target_planet",
        "target_language",
        "read_out",
        "is_active",
    ]
    show_change_link = True


@admin.register(Menu)
class MenuAdmin(GuardedImportExport, HistoryAdmin):
    list_display = ["name", "slug", "is_default", "options_shown"]
    search_fields = ["name", "slug"]
    ordering = ["-is_default", "name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "is_default", "silence_key"]
    readonly_fields = ["is_default"]
    actions = ["make_default"]
    inlines = [MenuPromptInline, OptionInline]
    history_inlines = [(MenuPrompt, "menu"), (Option, "menu")]

    change_list_template = "admin/directory/menu/change_list.html"
    resource_classes = [MenuResource]
    import_permission = "directory.import_menu"
    export_permission = "directory.export_menu"
    # An import writes menus and sets their texts to the file's.
    import_writes = [(Menu, ["add", "change"]), (MenuPrompt, ["add", "change", "delete"])]
    export_reads = [Menu, MenuPrompt]

    def save_model(self, request, obj, form, change):
        # The line's first menu is where calls start: a tree always has one.
        if not Menu.objects.filter(is_default=True).exclude(pk=obj.pk).exists():
            obj.is_default = True
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Make another menu where calls start first: a tree always has one. (The list's delete
        # action asks this of every menu selected, and refuses them all with it.)
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Make the selected menu where calls start"), permissions=["change"])
    def make_default(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request,
                gettext("Select exactly one menu to make where calls start."),
                messages.ERROR,
            )
            return
        menu = queryset.get()
        menu_make_default(menu=menu)
        self.message_user(
            request,
            gettext("Calls now start at %(menu)s.") % {"menu": menu},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("options")

    @admin.display(description=_("options"))
    def options_shown(self, menu):
        return " ".join(option.key for option in menu.options.all()) or "—"

    def get_urls(self):
        picture = self.admin_site.admin_view(self.picture_view)
        return [path("picture/", picture, name="directory_menu_picture"), *super().get_urls()]

    def picture_view(self, request):
        # The picture shows every option, its words and where it leads: the option list's.
        options = self.admin_site._registry[Option]
        if not (self.has_view_permission(request) and options.has_view_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("The phone tree"),
            "opts": self.model._meta,
            "picture": tree_picture(request.user),
        }
        return TemplateResponse(request, "admin/directory/menu/picture.html", context)

    def changelist_view(self, request, extra_context=None):
        unreached = menus_unreached()
        if unreached and request.method == "GET":
            self.message_user(
                request,
                gettext(
                    "No call reaches these menus: %(menus)s. Lead an option or a number to them."
                )
                % {"menus": ", ".join(str(menu) for menu in unreached)},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


class OptionTextInline(admin.TabularInline):
    model = OptionText
    extra = 0
    fields = ["language", "text", "voice"]


class OptionWordInline(admin.TabularInline):
    model = OptionWord
    extra = 0
    fields = ["language", "phrase"]


class TextMessageInline(admin.TabularInline):
    model = TextMessage
    extra = 0
    fields = ["language", "text"]


class AnnouncementInline(admin.TabularInline):
    model = Announcement
    extra = 0
    fields = ["language", "position", "text", "voice", "recording"]


@admin.register(Option)
class OptionAdmin(GuardedImportExport, HistoryAdmin):
    list_display = ["__str__", "menu", "key", "action", "read_out", "is_active", "position"]
    list_filter = ["menu", "action", "is_active"]
    list_select_related = ["menu"]
    search_fields = ["menu__name", "menu__slug", "key"]
    ordering = ["menu__name", "position", "key"]
    fieldsets = [
        (None, {"fields": ["menu", "key", "position", "action", "read_out", "is_active"]}),
        (_("Where it leads"), {"fields": ["target_menu", "target_planet", "target_language"]}),
    ]
    inlines = [OptionTextInline, OptionWordInline, AnnouncementInline, TextMessageInline]
    history_inlines = [(OptionText, "option"), (OptionWord, "option"), (Announcement, "option")]
    history_inlines += [(TextMessage, "option")]

    resource_classes = [OptionResource]
    import_permission = "directory.import_menu"
    export_permission = "directory.export_menu"
    # An import writes options and sets their sentences, words and messages to the file's.
    import_writes = [
        (Option, ["add", "change"]),
        (OptionText, ["add", "change", "delete"]),
        (OptionWord, ["add", "change", "delete"]),
        (Announcement, ["add", "change", "delete"]),
    ]
    # The file names each option's menus and planet (their short names, its name) too; a
    # language only by its code, which every per-language column's name says already.
    export_reads = [Option, OptionText, OptionWord, Announcement, Menu, Planet]


@admin.register(CalledNumber)
class CalledNumberAdmin(HistoryAdmin):
    list_display = ["number", "language", "entry_menu"]
    list_filter = ["language", "entry_menu"]
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
class PlanetAdmin(GuardedImportExport, MissingColumn, HistoryAdmin):
    related = "names"
    # The list keeps its planet menu preview (under the import and export buttons).
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
        if _can_view(request.user, PlanetName) and _can_view(request.user, PromptText):
            script = script_get()
            reads = settings.IVR_PLANET_MENU_READS
            previews = [
                (language, script.lines(language).planet_menu(read_at_most=reads))
                for language in script.languages
            ]
        extra_context = {**(extra_context or {}), "planet_menu_previews": previews}
        return super().changelist_view(request, extra_context=extra_context)


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
        if _can_view(request.user, PromptText):
            return shown
        return [column for column in shown if column != "default_text"]

    @admin.display(description=_("text in the default language"))
    def default_text(self, prompt):
        return next((text.text for text in prompt.texts.all() if text.language.is_default), "—")


# The rows edited inline above, registered for their history and revert (see InlineRowAdmin).
@admin.register(MenuPrompt)
class MenuPromptAdmin(InlineRowAdmin):
    parent = "menu"
    fields = ["menu", *MenuPromptInline.fields]


@admin.register(OptionText)
class OptionTextAdmin(InlineRowAdmin):
    parent = "option"
    fields = ["option", *OptionTextInline.fields]


@admin.register(OptionWord)
class OptionWordAdmin(InlineRowAdmin):
    parent = "option"
    fields = ["option", *OptionWordInline.fields]


@admin.register(Announcement)
class AnnouncementAdmin(InlineRowAdmin):
    parent = "option"
    fields = ["option", *AnnouncementInline.fields]


@admin.register(TextMessage)
class TextMessageAdmin(InlineRowAdmin):
    parent = "option"
    fields = ["option", *TextMessageInline.fields]


@admin.register(PlanetName)
class PlanetNameAdmin(InlineRowAdmin):
    parent = "planet"
    fields = ["planet", *PlanetNameInline.fields]


@admin.register(PlanetAlias)
class PlanetAliasAdmin(InlineRowAdmin):
    parent = "planet"
    fields = ["planet", *PlanetAliasInline.fields]


@admin.register(OpeningHours)
class OpeningHoursAdmin(InlineRowAdmin):
    parent = "planet"
    fields = ["planet", *OpeningHoursInline.fields]


@admin.register(Closure)
class ClosureAdmin(InlineRowAdmin):
    parent = "planet"
    fields = ["planet", *ClosureInline.fields]


@admin.register(PromptText)
class PromptTextAdmin(InlineRowAdmin):
    parent = "prompt"
    fields = ["prompt", *PromptTextInline.fields]


# Django's own admins for logins and groups, with the same guard on their lists' query strings
# (?groups=<a number too large for an id> failed with a server error).
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(InRange, UserAdmin):
    pass


@admin.register(Group)
class StaffGroupAdmin(InRange, GroupAdmin):
    pass
