"""The texts app; it has purge_calls delete texts with their calls."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextsConfig(AppConfig):
    name = "texts"
    verbose_name = _("Texts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calllog.maintenance import purge_register

        from .services import texts_purge

        # Texts hold callers' numbers: purge_calls deletes them with the calls they belong to.
        purge_register(texts_purge)
