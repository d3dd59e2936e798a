"""The directory in the admin: a module per part of it; importing them registers their pages."""

from . import base, imports, languages, menus, planets, rows, staff, wording  # noqa: F401
from .base import HistoryAdmin, InlineRowAdmin
from .imports import GuardedImportExport, ImportFiles

__all__ = ["GuardedImportExport", "HistoryAdmin", "ImportFiles", "InlineRowAdmin"]
