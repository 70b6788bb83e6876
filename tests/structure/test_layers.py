"""Imports run one way: runtime ← assets (ingest ← conform ← marts ← reports) ← quality ←
pipelines, and no module imports another module's private names (docs/design.md, "Layers")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("runtime", "assets", "quality", "pipelines")
# what each layer may import (of our packages); a layer always may import itself
LAYER_ORDER = ["runtime", "assets.ingest", "assets.conform", "assets.marts", "assets.reports",
               "assets", "quality", "pipelines"]


def layer_of(module: str) -> str:
    for layer in sorted(LAYER_ORDER, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    raise AssertionError(f"{module} is in no layer: add it to LAYER_ORDER")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, me: str | None = None) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import of our packages."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = (me or module_name(path)).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            out.append((base, [a.name for a in node.names], node.lineno))
    return [(m, n, line) for m, n, line in out if m.split(".")[0] in PACKAGES]


def sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py"))


def test_every_module_is_in_a_layer():
    for path in sources():
        layer_of(module_name(path))


def backward_imports(path: Path, me: str) -> list[str]:
    mine = LAYER_ORDER.index(layer_of(me))
    return [f"{path.name}:{line} imports {module} ({layer_of(module)}), above {layer_of(me)}"
            for module, _names, line in imports(path, me)
            if LAYER_ORDER.index(layer_of(module)) > mine]


def private_imports(path: Path, me: str) -> list[str]:
    return [f"{path.name}:{line} imports private {names} from {module}"
            for module, names, line in imports(path, me)
            if module != me and any(n.startswith("_") and not n.startswith("__") for n in names)]


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_imports_run_one_way(path):
    assert backward_imports(path, module_name(path)) == []


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_private_names_across_modules(path):
    assert private_imports(path, module_name(path)) == []


def test_the_checker_flags_what_it_should(tmp_path):
    """The rules can fail: a runtime module importing the marts, a relative import climbing out
    of the conform layer, and a private name taken from another module are all flagged."""
    bad = tmp_path / "bad.py"
    bad.write_text("from assets.marts.common import ratio\nfrom ..marts import build\n"
                   "from assets.conform.credit import _hidden\nfrom runtime import settings\n",
                   encoding="utf-8")
    assert len(backward_imports(bad, "runtime.bad")) == 2
    assert len(backward_imports(bad, "assets.conform.bad")) == 2  # marts, and ..marts
    assert backward_imports(bad, "pipelines.bad") == []
    assert len(private_imports(bad, "assets.marts.bad")) == 1


def environment_reads(path: Path) -> list[str]:
    """Places that read a setting from the environment (os.environ.get/[...], os.getenv)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func
            if target.attr == "getenv" or (target.attr == "get" and "environ" in ast.unparse(
                    target.value)):
                found.append(f"{path.name}:{node.lineno}")
        elif (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
              and ast.unparse(node.value).endswith("environ")):
            found.append(f"{path.name}:{node.lineno}")
    return found


@pytest.mark.parametrize("path", [p for p in sources() if p != REPO / "runtime" / "settings.py"],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_settings_are_read_only_in_settings(path):
    """Every environment variable is a field of runtime/settings.py::Settings, read there."""
    assert environment_reads(path) == []


def test_the_environment_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\na = os.environ.get('X')\nb = os.getenv('Y')\n"
                   "c = os.environ['Z']\nos.environ['W'] = '1'\n", encoding="utf-8")
    assert len(environment_reads(bad)) == 3  # the write is allowed
