"""Print every import cycle between the project's modules, module-level and deferred imports alike.

Run by hand (`.venv/bin/python scripts/import_cycles.py`); `make lint` holds the same rule through the
import-linter contracts in pyproject.toml. The graph is grimp's (the one import-linter reads): every
`import` statement in a module counts, at the top or inside a function, since an import deferred into a
function to dodge a cycle still couples the two modules both ways. Exit status 1 when a cycle exists.

Each cycle is printed as one strongly connected set of modules, with for each edge inside it the lines
that import.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
# The project's top-level packages: every directory with an __init__.py, except the tests.
PACKAGES = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in {"tests"})


def strongly_connected(nodes: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; the components with more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in edges.get(node, ()):
                        found.append(sorted(component))
    return found


def main() -> int:
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    nodes = set(graph.modules)
    edges = {module: graph.find_modules_directly_imported_by(module) & nodes for module in nodes}
    # A package's __init__ importing its own submodules is how a package re-exports: not a cycle.
    for module in nodes:
        edges[module] = {m for m in edges[module] if not m.startswith(module + ".")}
    cycles = strongly_connected(nodes, edges)
    for component in cycles:
        members = set(component)
        print(f"cycle of {len(component)} modules:")
        for module in component:
            for target in sorted(edges[module] & members):
                details = graph.get_import_details(importer=module, imported=target)
                where = ", ".join(f"{d['line_number']}" for d in details)
                print(f"  {module} -> {target}  (line {where})")
        print()
    print(f"{len(cycles)} cycle(s) among {len(nodes)} modules of {', '.join(PACKAGES)}")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
