"""Exported cells are never formulas, and import back as they were."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.spreadsheets import FORMULA_STARTS, imported, inert


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+14155550123", "'+14155550123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),
        ("Dagobah", "Dagobah"),
        ("", ""),
        (3, 3),
        (None, None),
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_starts_with_the_text_mark(value, cell):
    assert inert(value) == cell


@given(st.text())
def test_no_inert_cell_starts_like_a_formula_and_every_one_imports_back(value):
    cell = inert(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert imported(cell) == value


def test_a_hand_written_apostrophe_before_plain_text_is_kept():
    assert imported("'tis the season") == "'tis the season"
