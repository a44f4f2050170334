"""Print which of lti_app's packages import which (from the code's own imports).

    python scripts/import_map.py            # one line per package: what it imports
    python scripts/import_map.py --lazy     # only the imports made inside functions
    python scripts/import_map.py --dot      # the same as a Graphviz graph

A package is a folder of lti_app (`learning`, `lti`, ...) or a top-level
module (`completion`, `errors`, ...). Tests and migrations are left out.
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "lti_app"


def unit_of(module: str) -> str | None:
    """`lti_app.learning.views` -> `learning`; None outside lti_app."""
    parts = module.split(".")
    if parts[0] != "lti_app":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(imported module, made inside a function) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend((alias.name, lazy) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if isinstance(node, ast.If) and _is_type_checking(node):
                    continue
                found.append((target, lazy))
                # `from . import service` names a module too.
                found.extend((f"{target}.{alias.name}", lazy) for alias in child.names)
            visit(child, inner)

    visit(tree, False)
    return found


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def edges(lazy_only: bool = False) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = unit_of(module_name(path))
        for target, lazy in imports_of(path):
            if lazy_only and not lazy:
                continue
            unit = unit_of(target)
            if unit and unit != source and unit != "__init__":
                if (ROOT / unit).is_dir() or (ROOT / f"{unit}.py").exists():
                    graph[source].add(unit)
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lazy", action="store_true", help="only imports inside functions")
    parser.add_argument("--dot", action="store_true", help="print a Graphviz graph")
    args = parser.parse_args()
    graph = edges(lazy_only=args.lazy)
    if args.dot:
        print("digraph lti_app {\n  rankdir=TB; node [shape=box];")
        for source in sorted(graph):
            for target in sorted(graph[source]):
                print(f'  "{source}" -> "{target}";')
        print("}")
        return
    for source in sorted(graph):
        print(f"{source:18} -> {', '.join(sorted(graph[source]))}")


if __name__ == "__main__":
    main()
