"""scripts/import_cycles.py, which `make lint` runs: it finds every cycle, and the project has none."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "import_cycles.py"


def _script():
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_finds_each_cycle_once_and_nothing_else():
    find = _script().strongly_connected
    edges = {
        "a.services": {"a.tasks", "a.models"},
        "a.tasks": {"a.delivery"},
        "a.delivery": {"a.services", "a.models"},  # services → tasks → delivery → services
        "b.selectors": {"b.rollup"},
        "b.rollup": {"b.selectors"},  # two modules importing each other
        "c.self": {"c.self"},  # a module importing itself
        "d.views": {"d.services"},
        "d.services": {"d.selectors"},
        "d.selectors": {"d.models"},  # a chain is not a cycle
    }
    nodes = set(edges) | {m for targets in edges.values() for m in targets}
    found = sorted(find(nodes, edges))
    assert found == [["a.delivery", "a.services", "a.tasks"], ["b.rollup", "b.selectors"], ["c.self"]]


def test_a_long_chain_is_walked_without_recursion():
    find = _script().strongly_connected
    chain = {f"m{i}": {f"m{i + 1}"} for i in range(5000)}
    assert find(set(chain) | {"m5000"}, chain) == []
    chain["m5000"] = {"m0"}
    assert [len(c) for c in find(set(chain) | {"m5000"}, chain)] == [5001]


def test_the_project_has_no_import_cycle(capsys):
    assert _script().main() == 0, capsys.readouterr().out
