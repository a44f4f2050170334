"""The package structure keeps its rules: dependencies run one way.

Read from the code's imports by scripts/import_map.py (run it to see the map).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "scripts" / "import_map.py"
FEATURES = {"learning", "shadowing", "issuing", "trainer", "jobs", "privacy",
            "verification", "people", "platforms", "lti", "demo_lms"}


def _import_map():
    spec = importlib.util.spec_from_file_location("import_map", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_the_app_factory_imports_the_demo_lms():
    graph = _import_map().edges()
    importers = {source for source, targets in graph.items() if "demo_lms" in targets}
    assert importers == {"__init__"}


def test_completion_is_a_pure_rule_below_every_feature():
    graph = _import_map().edges()
    assert not graph.get("completion", set()) & FEATURES


def test_no_import_hides_inside_a_function_outside_the_app_factory():
    lazy = _import_map().edges(lazy_only=True)
    assert {source: targets for source, targets in lazy.items() if source != "__init__"} == {}


def test_lti_people_and_platforms_form_no_circle():
    graph = _import_map().edges()
    assert "lti" not in graph.get("people", set())
    assert "lti" not in graph.get("platforms", set()) and "people" not in graph.get(
        "platforms", set())
