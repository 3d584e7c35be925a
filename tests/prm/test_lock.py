"""The lock files in ``requirements/`` are what make, CI and the Dockerfile install: they must satisfy
pyproject.toml (a range changed without ``make lock`` fails here, not on a fresh clone) and agree with each other."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from scripts.upgrade_check import pins

ROOT = Path(__file__).resolve().parents[2]
MAIN, TEST = ROOT / "requirements" / "main.txt", ROOT / "requirements" / "test.txt"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.mark.parametrize(
    ("lock", "declared"),
    [
        (MAIN, PROJECT["dependencies"]),
        (TEST, PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]),
    ],
    ids=["main", "test"],
)
def test_every_declared_dependency_is_locked_within_its_range(lock, declared):
    locked = pins(lock)
    for line in declared:
        requirement = Requirement(line)
        name = requirement.name.lower()
        assert name in locked, f"{name} is in pyproject.toml but not in {lock.name}: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{lock.name} pins {name} {locked[name]}, outside pyproject.toml's {requirement.specifier}: run make lock"
        )


def test_the_runtime_lock_has_the_versions_the_tests_ran_with():
    tested = pins(TEST)
    different = {
        name: (version, tested.get(name))
        for name, version in pins(MAIN).items()
        if tested.get(name) != version
    }
    assert different == {}


def test_every_pin_carries_hashes():
    for lock in (MAIN, TEST):
        text = lock.read_text(encoding="utf-8")
        pinned = [line for line in text.splitlines() if line and line[0] not in " #-"]
        assert pinned
        assert all(line.endswith("\\") for line in pinned), f"{lock.name} has a pin without hashes"
