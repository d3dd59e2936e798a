"""The cells of the directory's import and export files: hours, phrases, messages, names."""

import re
from datetime import time

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext
from import_export import fields, widgets

# What the admin's forms refuse in any text (PostgreSQL cannot store it).
no_null_characters = ProhibitNullCharactersValidator()
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HOURS = re.compile(r"(\w+)\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})")


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


class HoursWidget(widgets.Widget):
    """A planet's weekly hours in one cell: "Mon 09:00-17:00; Sat 10:00-12:00"."""

    def clean(self, value, row=None, **kwargs):
        hours = []
        for part in filter(None, (part.strip() for part in str(value or "").split(";"))):
            match = HOURS.fullmatch(part)
            try:
                day = WEEKDAYS.index(match[1].title()) if match else -1
                opens, closes = (_time(match[2]), _time(match[3])) if match else (None, None)
            except ValueError:
                day = -1
            if day < 0:
                raise ValueError(
                    gettext(
                        "“%(hours)s” is not a day's opening hours. Write each as Mon 09:00-17:00 "
                        "(Mon to Sun, 24-hour times), separated by semicolons."
                    )
                    % {"hours": part}
                )
            hours.append((day, opens, closes))
        return hours

    def render(self, value, obj=None, **kwargs):
        return "; ".join(
            f"{WEEKDAYS[day]} {opens:%H:%M}-{closes:%H:%M}" for day, opens, closes in value
        )


class PhrasesWidget(widgets.Widget):
    """Several phrases in one cell, separated by semicolons: "Dagoba; Yoda's swamp"."""

    def clean(self, value, row=None, **kwargs):
        return list(dict.fromkeys(p.strip() for p in str(value or "").split(";") if p.strip()))

    def render(self, value, obj=None, **kwargs):
        return "; ".join(value)


class RowsField(fields.Field):
    """A column for a planet's rows in another table: read from them, and written to them
    once the planet is saved (PlanetResource.after_save_instance)."""

    def __init__(self, *, read, **kwargs):
        super().__init__(**kwargs)
        self.read = read

    def get_value(self, instance):
        if hasattr(instance, self.attribute):  # imported, not yet written
            return getattr(instance, self.attribute)
        return self.read(instance) if instance.pk else self.widget.clean("")


class MessageWidget(widgets.Widget):
    """An option's message in one cell, its sentences in order separated by a vertical bar:
    "{directions} | Thank you for calling."."""

    SEPARATOR = "|"

    def clean(self, value, row=None, **kwargs):
        return [s.strip() for s in str(value or "").split(self.SEPARATOR) if s.strip()]

    def render(self, value, obj=None, **kwargs):
        return f" {self.SEPARATOR} ".join(value)


class NamedWidget(widgets.ForeignKeyWidget):
    """A row of another table by what staff call it (a menu's short name, a planet's name); one
    no row has is an error under its column, not a failed import."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            opts = self.model._meta
            raise ValueError(
                gettext("No %(model)s has the %(field)s “%(value)s”.")
                % {
                    "model": opts.verbose_name,
                    "field": opts.get_field(self.field).verbose_name,
                    "value": value,
                }
            ) from None
