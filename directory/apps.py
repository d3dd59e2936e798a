from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_triggers(sender, using, **kwargs):
    from django.db import connections

    from .triggers import REVISION_TABLE, directory_tables, install

    connection = connections[using]
    existing = set(connection.introspection.table_names())
    # Migrated back before the revision, or not yet to it: nothing to install.
    if REVISION_TABLE in existing:
        install(connection, [table for table in directory_tables() if table in existing])


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")

    def ready(self):
        # After every migrate (and flush): SQLite loses a table's triggers when a migration
        # rebuilds it, and a flush empties the Revision table.
        post_migrate.connect(_install_triggers, sender=self)
