"""Import and export of planets, menus and options, guarded by the login's permissions."""

import re
from datetime import timedelta
from zipfile import BadZipFile

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import (
    BadRequest,
    SuspiciousOperation,
)
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.tmp_storages import MediaStorage

from .base import (
    has_permission,
    may_view,
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
                has_permission(user, model, action)
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
            and all(may_view(user, model) for model in self.export_reads)
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
