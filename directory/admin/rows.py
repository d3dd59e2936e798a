"""The rows edited inline on other pages, registered for their history and revert."""

from django.contrib import admin

from ..models import (
    Announcement,
    Closure,
    MenuPrompt,
    OpeningHours,
    OptionText,
    OptionWord,
    PlanetAlias,
    PlanetName,
    PromptText,
    TextMessage,
)
from .base import InlineRowAdmin
from .menus import (
    AnnouncementInline,
    MenuPromptInline,
    OptionTextInline,
    OptionWordInline,
    TextMessageInline,
)
from .planets import ClosureInline, OpeningHoursInline, PlanetAliasInline, PlanetNameInline
from .wording import PromptTextInline


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
