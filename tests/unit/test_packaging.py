"""The `lab` package declares what it needs: every third-party module the CLI's packages import is a dependency in
pyproject.toml, and a fresh venv's `pip install .` gives a `lab` that works."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI_PACKAGES = [
    "activity_contract",
    "activity_clients",
    "activitylab",
    "producers",
]  # what `lab` imports, lazily or not


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {canonical(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def imported_top_modules(package: str) -> dict[str, str]:
    """{top-level module: a file importing it} for every absolute import in the package, inside functions too."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_third_party_import_of_the_cli_is_a_declared_dependency():
    distributions = packages_distributions()
    missing = []
    for package in CLI_PACKAGES:
        for module, where in imported_top_modules(package).items():
            if module in sys.stdlib_module_names or module in CLI_PACKAGES:
                continue
            dists = {canonical(d) for d in distributions.get(module, [module])}
            if not dists & declared():
                missing.append(f"{where}: {module} ({', '.join(sorted(dists))})")
    assert not missing, "imported but not in pyproject.toml's dependencies:\n" + "\n".join(missing)


@pytest.fixture(scope="module")
def fresh_lab(tmp_path_factory):
    venv = tmp_path_factory.mktemp("fresh-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    return venv / "bin" / "lab"


def test_a_fresh_pip_install_gives_a_lab_with_its_help_and_urls(fresh_lab, tmp_path):
    help_text = subprocess.run([str(fresh_lab), "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert help_text.returncode == 0, help_text.stderr
    for command in ("up", "urls", "status", "smoke", "sim", "batch", "replay", "bench"):
        assert re.search(rf"\b{command}\b", help_text.stdout), (command, help_text.stdout)

    env = dict(line.split("=", 1) for line in (ROOT / ".env").read_text().splitlines() if "=" in line)
    urls = subprocess.run([str(fresh_lab), "urls"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert urls.returncode == 0, urls.stderr
    bind = env.get("LAB_BIND", "127.0.0.1")
    assert f"http://{bind}:{env['DASHBOARD_PORT']}" in urls.stdout, urls.stdout
    assert f"kafka://{bind}:{env['KAFKA_PORT']}" in urls.stdout, urls.stdout

    outside = subprocess.run([str(fresh_lab), "urls"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert outside.returncode == 1 and "no Activity Lab checkout here" in outside.stderr, outside
