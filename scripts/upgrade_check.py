"""``make upgrade-check``: run the suite on the newest versions pyproject.toml allows, before they reach the lock.

Resolves pyproject.toml (with the test extra) afresh for this Python into ``var/upgrade-check/``, prints every
package whose version differs from ``requirements/test.txt``, installs the result into a scratch virtualenv
there and runs the whole suite in it. The lock files and ``.venv`` are not touched; when the suite passes,
``make lock UPGRADE=1`` takes the same versions into the lock.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "test.txt"
WORK = ROOT / "var" / "upgrade-check"
UV = str(Path(sys.executable).parent / "uv")


def pins(path: Path) -> dict[str, str]:
    """``name: version`` of every ``name==version`` line of a requirements file that applies to this Python."""
    environment = default_environment()
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in " #-":
            continue
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        found[requirement.name.lower()] = str(requirement.specifier).removeprefix("==")
    return found


def changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = []
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if before is None:
            lines.append(f"  + {name} {after} (new)")
        elif after is None:
            lines.append(f"  - {name} {before} (no longer needed)")
        else:
            lines.append(f"  ~ {name} {before} -> {after}")
    return lines


def run(*command: str) -> None:
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 - our own fixed commands


def main(pytest_args: list[str]) -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    resolved = WORK / "requirements.txt"
    python_version = "{}.{}.{}".format(*sys.version_info[:3])
    run(
        UV,
        "pip",
        "compile",
        "pyproject.toml",
        "--extra",
        "test",
        "--upgrade",
        "--quiet",
        "--python-version",
        python_version,
        "-o",
        str(resolved),
    )
    report = changes(pins(LOCK), pins(resolved))
    summary = "\n".join(report) if report else "  (none: the lock already has the newest allowed versions)"
    print(f"upgrade-check: newest allowed versions against {LOCK.relative_to(ROOT)}:\n{summary}", flush=True)
    venv = WORK / "venv"
    run(UV, "venv", "--quiet", "--python", sys.executable, str(venv))
    run(UV, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "-r", str(resolved))
    tests = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", *pytest_args], cwd=ROOT)  # noqa: S603
    verdict = "passed" if tests.returncode == 0 else f"FAILED (pytest exit code {tests.returncode})"
    print(f"\nupgrade-check: the suite {verdict} on the newest allowed versions. What changed:\n{summary}")
    if tests.returncode == 0 and report:
        print("Take them into the lock with: make lock UPGRADE=1, then make test, and commit requirements/.")
    return tests.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
