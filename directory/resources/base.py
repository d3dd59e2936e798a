"""What every row of the directory's import and export files shares: checks and refusals."""

from django.core.exceptions import ValidationError
from import_export import resources

from ..spreadsheets import imported, inert
from .widgets import no_null_characters


class DirectoryResource(resources.ModelResource):
    """Rows whose cells come out inert in a spreadsheet and go in as the admin's forms take
    them, each checked by the forms' rules along with the rows in other tables its cells set
    (a planet's spoken names): every error under the column it is about."""

    # The field of those other rows that names this resource's row ("planet").
    parent = ""

    def before_import_row(self, row, **kwargs):
        # Cells this export made inert ('=...) read back as what they stand for; white space
        # around a cell goes, as the admin's forms take it away.
        for column, value in row.items():
            value = imported(value)
            row[column] = value.strip() if isinstance(value, str) else value
        # A NUL character is refused, as the forms refuse it, by validate_instance() (which is
        # not given the row); taken out meanwhile, so that no query carries it (PostgreSQL
        # cannot: a row is looked up by its name first).
        self._with_null_characters = []
        for column, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                self._with_null_characters.append(column)
                row[column] = value.replace("\x00", "")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The row's own rules, and those of the rows its cells set (a spoken name's length,
        an alias's): the same as the admin's forms, each error under the column it is about."""
        columns = {field.attribute: field.column_name for field in self.fields.values()}
        errors = {
            columns.get(attribute, attribute): error
            for attribute, error in (import_validation_errors or {}).items()
        }
        for column in self._with_null_characters:
            errors.setdefault(column, []).append(no_null_characters.message)
        for column, rows in self.cell_rows(instance):
            if column in errors:
                continue  # the cell could not be read at all: that error says so
            for row in rows:
                try:
                    row.full_clean(exclude=[self.parent], validate_unique=False)
                except ValidationError as invalid:
                    errors.setdefault(column, []).extend(invalid.messages)
        self.check_across_rows(instance, errors)
        super().validate_instance(instance, errors, validate_unique)

    def cell_rows(self, instance):
        """Per column for rows in another table, the rows (unsaved) its cell would give."""
        return []

    def check_across_rows(self, instance, errors: dict) -> None:
        """Add to errors what the rules that look beyond one row refuse."""

    def export_field(self, field, instance, **kwargs):
        return inert(super().export_field(field, instance, **kwargs))

    def get_export_headers(self, selected_fields=None):
        return [inert(header) for header in super().get_export_headers(selected_fields)]
