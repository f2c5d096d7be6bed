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


# -- import cycles ------------------------------------------------------------------------------
# import-linter cannot say "this package has no cycle": these tests find cycles with `ast`, among the
# modules of each package and among its rooms (its direct sub-packages and modules).

Graph = dict[str, set[str]]


def module_name(path: Path) -> str:
    """The dotted name of a module file under `src/`."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([ROOT, *parts])


def module_graph(files: dict[str, str], packages: frozenset[str] = frozenset()) -> Graph:
    """Which of the given modules (name -> source) each one imports, anywhere in its source.

    `from pkg import name` imports the module `pkg.name` when there is one, else `pkg` itself;
    `packages` names the modules that are packages (their relative imports start inside them).
    """
    graph: Graph = {}
    for name, source in files.items():
        is_package = name in packages
        own = name.split(".")
        deps: set[str] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level > 0:
                    anchor = own if is_package else own[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                subs = {f"{base}.{a.name}" for a in node.names} & files.keys()
                deps.update(subs)
                if len(subs) < len(node.names):
                    deps.add(base)
        graph[name] = {d for d in deps if d in files and d != name}
    return graph


def package_graph(package: str) -> Graph:
    """The import graph of the modules of a package under `src/`."""
    paths = sorted((SRC / package).rglob("*.py"))
    files = {module_name(path): path.read_text(encoding="utf-8") for path in paths}
    packages = frozenset(module_name(path) for path in paths if path.name == "__init__.py")
    return module_graph(files, packages)


def rooms_graph(graph: Graph, package: str) -> Graph:
    """The graph between a package's rooms: each module stands for its direct child of `package`."""
    prefix = f"{ROOT}.{package}"

    def room(module: str) -> str:
        rest = module.removeprefix(prefix).lstrip(".")
        return f"{prefix}.{rest.split('.')[0]}" if rest else prefix

    rooms: Graph = {}
    for module, deps in graph.items():
        here = room(module)
        rooms.setdefault(here, set()).update(room(d) for d in deps if room(d) != here)
    return rooms


def import_cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import_and_a_from_import() -> None:
    files = {
        "p.state": "def seeded():\n    from p._seed import seed\n",
        "p._seed": "from p import _ops\n",
        "p._ops": "from p.state import State\nimport os\n",
        "p.app": "from p import state\n",
    }
    graph = module_graph(files)
    assert graph["p._seed"] == {"p._ops"}
    assert import_cycles(graph) == [["p._ops", "p._seed", "p.state"]]
    del files["p.state"]
    assert import_cycles(module_graph(files)) == []


def test_the_cycle_finder_resolves_relative_imports_and_sees_rooms() -> None:
    files = {
        "intrro_gateway.x.a.one": "from ..b import two\n",
        "intrro_gateway.x.b.two": "from intrro_gateway.x.a import three\n",
        "intrro_gateway.x.a.three": "",
    }
    graph = module_graph(files)
    assert graph["intrro_gateway.x.a.one"] == {"intrro_gateway.x.b.two"}
    assert import_cycles(graph) == []
    assert import_cycles(rooms_graph(graph, "x")) == [["intrro_gateway.x.a", "intrro_gateway.x.b"]]
    files["intrro_gateway.x.a"] = "from . import three\nfrom .. import b\n"
    graph = module_graph(files, frozenset({"intrro_gateway.x.a"}))
    assert graph["intrro_gateway.x.a"] == {"intrro_gateway.x.a.three"}


@pytest.mark.parametrize("package", OUR_PACKAGES)
def test_no_package_of_ours_has_an_import_cycle_among_its_modules(package: str) -> None:
    assert import_cycles(package_graph(package)) == []


@pytest.mark.parametrize("package", OUR_PACKAGES)
def test_no_package_of_ours_has_an_import_cycle_among_its_rooms(package: str) -> None:
    """E.g. `entrypoints`: the CLI may run the demo, the demo may not reach back into the CLI."""
    assert import_cycles(rooms_graph(package_graph(package), package)) == []
