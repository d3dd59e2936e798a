"""The admin's pages for the tree: menus, their options and what each does."""

from django.contrib import admin, messages
from django.core.exceptions import (
    PermissionDenied,
)
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    Announcement,
    Menu,
    MenuPrompt,
    Option,
    OptionText,
    OptionWord,
    Planet,
    TextMessage,
)
from ..picture import tree_picture
from ..resources import MenuResource, OptionResource
from ..selectors import menus_unreached
from ..services import (
    menu_make_default,
)
from .base import HistoryAdmin
from .imports import GuardedImportExport


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
