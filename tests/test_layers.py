"""The rooms import only downwards (../shared/STYLE.md): import-linter's layers contract in
pyproject.toml, over every room of the project."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return {"roots": set(config["root_packages"]), "layers": layers["layers"]}


def test_every_room_is_in_a_layer():
    """Every package of the app (not the tests, not the benchmark) is a room of the contract."""
    rooms = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert {app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()} <= rooms
    in_layers = {room.strip() for layer in contract()["layers"] for room in layer.split("|")}
    assert in_layers == rooms, in_layers ^ rooms
    assert contract()["roots"] == rooms


def test_no_room_imports_one_above_it():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The contract's layers catch one: two rooms where the lower imports the upper."""
    for room, imports in (("calllog", "import voicemail\n"), ("voicemail", "")):
        (tmp_path / room).mkdir()
        (tmp_path / room / "__init__.py").write_text(imports)
    layers = [layer for layer in contract()["layers"] if layer in ("voicemail", "calllog")]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.importlinter]\nroot_packages = ["voicemail", "calllog"]\n'
        '[[tool.importlinter.contracts]]\nname = "down"\ntype = "layers"\n'
        f"layers = {layers!r}\n"
    )
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [lint],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "calllog is not allowed to import voicemail" in result.stdout
