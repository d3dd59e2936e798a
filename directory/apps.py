"""The directory app: its revision triggers after each migrate, fixtures in its history,
the planets open now for /metrics."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _install_triggers(sender, using, **kwargs):
    from django.db import connections

    from .triggers import REVISION_TABLE, directory_tables, install

    connection = connections[using]
    existing = set(connection.introspection.table_names())
    # Migrated back before the revision, or not yet to it: nothing to install.
    if REVISION_TABLE in existing:
        install(connection, [table for table in directory_tables() if table in existing])


def _record_fixture_save(sender, instance, created, raw, **kwargs):
    # simple-history leaves out raw saves (loaddata), but a fixture loaded over staff's words
    # changes what callers hear, and a past call's menu is rebuilt from this history.
    if raw:
        sender.history.bulk_history_create(
            [instance], update=not created, default_change_reason="loaddata"
        )


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")

    def ready(self):
        from metrics.registry import collector_register

        from .selectors import planets_open_collect

        # /metrics tells how many planets are open now (opening hours are the directory's).
        collector_register(planets_open_collect)
        # After every migrate (and flush): SQLite loses a table's triggers when a migration
        # rebuilds it, and a flush empties the Revision table.
        post_migrate.connect(_install_triggers, sender=self)
        for model in self.get_models():
            if hasattr(model._meta, "simple_history_manager_attribute"):
                post_save.connect(_record_fixture_save, sender=model)
