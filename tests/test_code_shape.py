"""App code reads the way ../shared/STYLE.md asks: no module over 400 lines, no function over 50,
each module's first docstring line saying its one job (migrations and bench/ aside)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOMS = sorted(path.parent for path in ROOT.glob("*/__init__.py"))
MODULES = [
    path
    for room in ROOMS
    if room.name not in ("tests", "bench")
    for path in sorted(room.rglob("*.py"))
    if "migrations" not in path.parts and path.read_text().strip()
]
MOST_LINES, MOST_FUNCTION_LINES = 400, 50


def test_every_room_is_read():
    assert len(MODULES) > 80


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_module_is_short_with_its_job_on_its_first_line(path):
    source = path.read_text()
    assert source.count("\n") <= MOST_LINES
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree)
    assert docstring, "no docstring naming the module's job"
    assert docstring.splitlines()[0].strip()
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MOST_FUNCTION_LINES
    ]
    assert long == []
