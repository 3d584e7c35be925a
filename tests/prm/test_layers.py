"""Apps share code through models, services, selectors and ``prm`` — never through another app's views or API.

Only URL configurations route to other apps' views; everything else that two apps need lives below both, in
``prm`` (whose shared view and API helpers, ``prm.api`` and ``prm.api_schema``, every app may use).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("prm", "partners", "deals", "meddic", "knowledge", "audit", "notifications", "enablement")
ENTRY_MODULES = ("views", "api")  # view and API modules, including views_*.py and api_*.py


def _is_url_conf(path: Path) -> bool:
    return path.stem == "urls" or path.stem.startswith("urls_") or path.stem == "api_urls"


def _is_entry_module(dotted: str) -> bool:
    parts = dotted.split(".")
    return len(parts) >= 2 and any(
        parts[1] == name or parts[1].startswith(f"{name}_") for name in ENTRY_MODULES
    )


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def cross_app_entry_imports(root: Path = ROOT) -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts or _is_url_conf(path):
                continue
            for line, dotted in _imports(path):
                other = dotted.split(".")[0]
                if other in APPS and other not in (app, "prm") and _is_entry_module(dotted):
                    found.append(f"{path.relative_to(root)}:{line} imports {dotted}")
    return sorted(set(found))


def test_no_app_imports_another_apps_views_or_api():
    assert cross_app_entry_imports() == []


def test_the_check_sees_such_an_import(tmp_path):
    (tmp_path / "deals").mkdir()
    (tmp_path / "deals" / "views.py").write_text("from meddic.views_review import verify_forms\n")
    (tmp_path / "deals" / "urls.py").write_text("from meddic.views_review import ElementVerifyView\n")
    for app in APPS:
        (tmp_path / app).mkdir(exist_ok=True)
    assert cross_app_entry_imports(tmp_path) == [
        "deals/views.py:1 imports meddic.views_review",
        "deals/views.py:1 imports meddic.views_review.verify_forms",
    ]
