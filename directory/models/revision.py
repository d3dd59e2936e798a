"""The directory's revision: a token that changes with every change to it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Revision(models.Model):
    """One row whose token changes, in the same transaction, with any change to the directory.

    Database triggers (directory/triggers.py) set a new random token on every insert, update
    or delete of the directory's tables, whoever makes it: the admin, loaddata, a shell, raw
    SQL. Each process keeps the directory it read with the token it read it at, and reads it
    again only when the token differs. Random rather than counted: a rolled-back change must
    never give the token back a value that names other data.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.BigIntegerField(_("token"), default=0)

    class Meta:
        verbose_name = _("directory revision")
        verbose_name_plural = _("directory revisions")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="%(app_label)s_%(class)s_one_row"),
        ]

    def __str__(self):
        return str(self.token)
