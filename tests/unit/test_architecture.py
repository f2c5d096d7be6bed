"""Architecture rules that import-linter cannot state: allow-lists for the domain and the ports."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
OUR_PACKAGES = ("domain", "ports", "services", "adapters", "entrypoints", "sandboxes")
ROOT = "intrro_gateway"


def _top_level(module: str) -> str:
    """The first segment of a module name, or `intrro_gateway.<room>` for our own modules."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == ROOT and len(parts) > 1 else parts[0]


def imported_top_levels(source: str, package: str) -> set[str]:
    """The top-level names a module's source imports, anywhere in it; relative imports name `package`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(_top_level(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level > 0:
                names.add(package)
            elif node.module is not None:
                names.add(_top_level(node.module))
    return names


def foreign_imports(package: str, allowed: set[str]) -> dict[str, set[str]]:
    """Per module of a package under `src/`, the imported top-level names outside `allowed`."""
    found: dict[str, set[str]] = {}
    for path in sorted((SRC / package).rglob("*.py")):
        names = imported_top_levels(path.read_text(encoding="utf-8"), f"{ROOT}.{package}")
        foreign = {n for n in names if n not in allowed and n not in sys.stdlib_module_names}
        if foreign:
            found[str(path.relative_to(SRC))] = foreign
    return found


def test_the_import_scanner_sees_every_form_of_import() -> None:
    source = (
        "import os.path\n"
        "from httpx import AsyncClient\n"
        "from . import status\n"
        "from intrro_gateway.ports.clock import Clock\n"
        "def f():\n"
        "    import sqlalchemy.orm\n"
        "if True:\n"
        "    from typing import TYPE_CHECKING\n"
    )
    assert imported_top_levels(source, "domain") == {
        "os",
        "httpx",
        "domain",
        "intrro_gateway.ports",
        "sqlalchemy",
        "typing",
    }


def test_the_allow_list_check_flags_a_third_party_import() -> None:
    names = imported_top_levels("import structlog\nimport enum\n", "domain")
    assert {n for n in names if n not in sys.stdlib_module_names} == {"structlog"}


@pytest.mark.parametrize("package", ["domain", "ports"])
def test_the_package_has_modules_to_check(package: str) -> None:
    assert len(list((SRC / package).rglob("*.py"))) >= 2


def test_every_import_in_the_domain_is_the_standard_library_or_the_domain() -> None:
    assert foreign_imports("domain", {f"{ROOT}.domain"}) == {}


def test_the_ports_import_only_the_standard_library_the_domain_and_the_ports() -> None:
    assert foreign_imports("ports", {f"{ROOT}.domain", f"{ROOT}.ports"}) == {}


@pytest.mark.parametrize("package", OUR_PACKAGES)
def test_each_of_our_packages_resolves_to_src_not_to_a_namesake_on_pypi(package: str) -> None:
    spec = importlib.util.find_spec(f"{ROOT}.{package}")
    assert spec is not None
    assert spec.origin is not None
    assert Path(spec.origin).resolve() == (SRC / package / "__init__.py").resolve()


@pytest.mark.parametrize("package", ["domain", "ports", "services", "adapters", "entrypoints"])
def test_no_room_of_ours_is_importable_as_a_top_level_name(package: str) -> None:
    assert importlib.util.find_spec(package) is None
