"""The lock file: every dependency in pyproject.toml (and the dev tools) is pinned in requirements.lock
with at least one hash, and nothing there lacks one, so `pip install --require-hashes` can install it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, list[str]]:
    """Each pinned package, normalised, with its hash lines."""
    entries: dict[str, list[str]] = {}
    current: str | None = None
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            current = _normal(line.split("==", 1)[0])
            assert "==" in line, f"{line!r} is not pinned"
            entries[current] = []
        elif current is not None and line.strip().startswith("--hash=sha256:"):
            entries[current].append(line.strip())
    return entries


def test_every_declared_dependency_is_pinned_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    locked = _locked()
    for requirement in declared:
        match = _NAME.match(requirement)
        assert match is not None, requirement
        assert _normal(match.group(1)) in locked, f"{requirement} is not in requirements.lock"
    assert all(hashes for hashes in locked.values()), "a pinned package has no hash"


def test_scripts_install_installs_the_lock_with_hashes_required() -> None:
    install = (ROOT / "scripts" / "install").read_text(encoding="utf-8")
    assert "--require-hashes" in install and "requirements.lock" in install
