"""The architecture is a contract: the headless core never imports the screen.

Imports point one way: tui → reports → assessments → simulator. Each core module is imported
in a fresh interpreter and must not pull in Textual or Rich; no core module imports a package
above it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["simulator", "assessments", "reports", "tui"]
CORE = [p for layer in LAYERS[:3] for p in sorted((ROOT / layer).glob("*.py"))]
HEADLESS_TUI = [
    p
    for part in ("cli", "headless", "link")
    for p in sorted((ROOT / "tui" / part).glob("*.py"))
    if p.name != "__main__.py"
]
"""The parts of ``tui`` that promise not to load Textual when imported (the folder says so)."""


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("path", CORE + HEADLESS_TUI, ids=_module)
def test_a_core_module_imports_without_textual_or_rich(path: Path) -> None:
    code = (
        f"import sys, {_module(path)}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("path", CORE, ids=_module)
def test_a_core_module_imports_only_from_its_own_layer_or_below(path: Path) -> None:
    layer = path.relative_to(ROOT).parts[0]
    above = set(LAYERS[LAYERS.index(layer) + 1 :])
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in above, f"{_module(path)} imports {name}"


def test_the_command_line_answers_help_and_validate_without_importing_textual() -> None:
    code = (
        "import sys\nfrom tui.cli.parser import main\n"
        "main(['validate', 'scenarios/api-outage.yaml'])\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip().endswith("CLEAN")
