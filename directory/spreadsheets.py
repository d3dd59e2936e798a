"""Cells for files staff open in a spreadsheet (the planet export, the call log's CSV).

A spreadsheet evaluates a cell that starts with =, +, -, @, a tab or a carriage return as a
formula ("CSV injection"): a planet named =HYPERLINK(...) or a caller "number" +cmd|... would
run in the reader's spreadsheet. Every exported text goes through inert(): such a cell starts
with an apostrophe, the mark spreadsheets themselves use for "this is text", and stays readable
('+14155550123). A cell that already starts with an apostrophe gets one more, so that
imported() gives back exactly what was exported.
"""

# What makes a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def inert(value):
    """The value as a cell no spreadsheet evaluates; anything but text as it is."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, TEXT_MARK)):
        return TEXT_MARK + value
    return value


def imported(value):
    """A cell of a file written with inert() (or by hand) as the text it stands for."""
    if isinstance(value, str) and value.startswith(TEXT_MARK):
        rest = value[len(TEXT_MARK) :]
        if rest.startswith((*FORMULA_STARTS, TEXT_MARK)):
            return rest
    return value
