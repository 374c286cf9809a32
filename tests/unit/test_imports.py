"""The import structure: every module imports on its own, no circle, channels stands alone."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("semcom", "channels")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """Project modules ``path`` imports (only those run at import time if ``top_level_only``;
    ``if TYPE_CHECKING:`` blocks never run)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # statements at module level, also inside try/if (not TYPE_CHECKING)
        stack, nodes = list(nodes), []
        while stack:
            node = stack.pop()
            nodes.append(node)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.If | ast.Try):
                stack.extend(node.body + node.orelse + getattr(node, "finalbody", []))
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return {n for n in names if n in MODULES}


def test_every_module_imports_on_its_own():
    """Each module imported first, with none of the project's modules loaded (third-party
    packages stay cached, so one interpreter serves all), in a fresh interpreter."""
    script = f"""
import importlib, sys, traceback
failed = []
for name in {sorted(MODULES)!r}:
    for loaded in [m for m in sys.modules if m.split(".")[0] in {PACKAGES!r}]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().strip().splitlines()[-1])
print("\\n".join(failed))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == ""


def test_no_circle_among_the_imports_run_at_import_time():
    graph = {name: _imports(path, top_level_only=True) for name, path in MODULES.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if nxt == node or nxt.startswith(node + "."):
                continue  # a package importing its own submodule
            if state.get(nxt) == 1:
                circle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                pytest.fail("import circle: " + " -> ".join(circle))
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


@pytest.mark.parametrize("rule", [("channels", "semcom"), ("semcom.diffusion", "semcom.models")])
def test_layers_do_not_import_upwards(rule):
    """channels stands on its own; the diffusion maths does not depend on the models."""
    lower, upper = rule
    offenders = [
        f"{name} imports {target}"
        for name, path in MODULES.items() if name == lower or name.startswith(lower + ".")
        for target in _imports(path, top_level_only=False)
        if target == upper or target.startswith(upper + ".")
    ]
    assert offenders == []
