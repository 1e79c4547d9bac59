"""The package keeps its layout: capabilities in layers, imports pointing down only, no
cycles, short modules, and each subpackage saying what it owns (README, "Layout")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# Lower layers never import higher ones. Within one subpackage, modules may import
# each other as long as no cycle forms.
LAYERS = {
    "generator": 0,            # __init__: the version only
    "generator.errors": 0,
    "generator.config": 1,
    "generator.data": 2,
    "generator.images": 3,
    "generator.share": 4,      # structured data, contact card, QR code, social card
    "generator.build": 5,
    "generator.authoring": 6,
    "generator.cloudflare": 7,
    "generator.preview": 8,
    "generator.editor": 9,     # the browser editor (`biogen edit`)
    "generator.cli": 10,
    "generator.__main__": 11,
}
# A module longer than this says why in its docstring, in a paragraph of its own.
MAX_LINES = 400
LONG_REASON = "Longer than ~400 lines for a reason"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str:
    """The LAYERS entry a module belongs to: its subpackage, or itself at the top."""
    parts = module.split(".")
    for size in (2, 1):
        candidate = ".".join(parts[:size])
        if candidate in LAYERS:
            return candidate
    raise AssertionError(f"{module} belongs to no layer: add its folder to LAYERS and to the README")


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The biogen modules `module` imports anywhere in its code (deferred imports too)."""
    found = set()
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            # `from generator.data import db` imports generator.data.db; `from x import name` imports x.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in known and name != module}
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {module: imports_of(module, path, known) for module, path in found.items()}


def test_every_module_belongs_to_a_layer():
    for module in modules():
        layer_of(module)


def test_imports_point_down_the_layers_only():
    upward = []
    for module, targets in graph().items():
        mine = layer_of(module)
        for target in sorted(targets):
            theirs = layer_of(target)
            if theirs != mine and LAYERS[theirs] >= LAYERS[mine]:
                upward.append(f"{module} imports {target} ({theirs} is not below {mine})")
    assert not upward, "imports must point down the layers:\n" + "\n".join(upward)


def test_no_module_imports_itself_back_through_others():
    edges = graph()
    cycles = []
    for start in sorted(edges):
        # Depth-first search for a path leading back to `start`.
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for target in sorted(edges[node]):
                if target == start:
                    cycles.append(" -> ".join(path + [start]))
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, path + [target]))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(set(cycles)))


def test_long_modules_say_why():
    unexplained = []
    for module, path in modules().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES and LONG_REASON not in docstring:
            unexplained.append(f"{module}: {lines} lines")
    assert not unexplained, (f"modules over {MAX_LINES} lines: split them by concern, or give the reason in "
                             f"a docstring paragraph starting {LONG_REASON!r}:\n" + "\n".join(unexplained))


@pytest.mark.parametrize("package", [name for name in LAYERS if (PACKAGE.parent / name.replace(".", "/")).is_dir()
                                     and name != "generator"])
def test_each_subpackage_says_what_it_owns_and_may_import(package):
    init = PACKAGE.parent / package.replace(".", "/") / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree) or ""
    assert len(docstring) > 200 and "import" in docstring, f"{init}: say what it owns and what it may import"
    assert len(tree.body) == 1, f"{init}: a docstring only; importing a subpackage runs nothing"


def test_the_layering_test_sees_an_upward_import(tmp_path, monkeypatch):
    # The checks above must be able to fail: a data module importing the build is caught.
    fake = tmp_path / "generator"
    for name in ("__init__.py", "data/__init__.py", "data/model.py", "build/__init__.py", "build/pages.py"):
        (fake / name).parent.mkdir(parents=True, exist_ok=True)
        (fake / name).write_text("")
    (fake / "data" / "model.py").write_text("def f():\n    from generator.build import pages\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    with pytest.raises(AssertionError, match="generator.data.model imports generator.build.pages"):
        test_imports_point_down_the_layers_only()
    (fake / "build" / "pages.py").write_text("from generator.data.model import f\n")
    with pytest.raises(AssertionError, match="import cycles"):
        test_no_module_imports_itself_back_through_others()
