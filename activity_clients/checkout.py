"""Where the lab's checkout is (compose.yaml, .env) and what its .env says: what every host-side client starts from."""

from __future__ import annotations

import os


def _is_checkout(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "compose.yaml")) and os.path.isdir(os.path.join(folder, "compose"))


def find_root() -> str:
    """The lab's checkout: $LAB_HOME, else the one this package lives in (`pip install -e .`, as `make venv`
    does), else the nearest folder at or above the working directory that holds compose.yaml (`pip install .`)."""
    if os.environ.get("LAB_HOME"):
        return os.path.abspath(os.environ["LAB_HOME"])
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if _is_checkout(package_parent):
        return package_parent
    folder = os.getcwd()
    while not _is_checkout(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    return folder if _is_checkout(folder) else package_parent


ROOT = find_root()


def checkout() -> str:
    """ROOT, or a clear exit where there is no checkout to run the lab from."""
    if not _is_checkout(ROOT):
        raise SystemExit("lab: no Activity Lab checkout here: run lab inside the repository, or set LAB_HOME to it")
    return ROOT


def read_env() -> dict[str, str]:
    """The lab's .env as a dict (written by `make env`)."""
    values: dict[str, str] = {}
    with open(os.path.join(checkout(), ".env"), encoding="utf-8") as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                key, value = line.rstrip("\n").split("=", 1)
                values[key] = value
    return values
