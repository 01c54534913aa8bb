"""End-to-end tests: they run against the lab started by `make up` (make test does that first)."""
import os
import subprocess

import pytest

from activitylab.compose import exec_in as compose_exec
from activitylab.compose import read_env
from activitylab.sites import SITE_PORTS, simulation
from lab_sites import simulation_restored

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


RUN_LAST = ("test_speed_recovery.py", "test_kafka_outage.py", "test_flume_restart.py", "test_restart.py", "test_scale.py")  # they stop services or start a second lab


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: RUN_LAST.index(item.fspath.basename) + 1 if item.fspath.basename in RUN_LAST else 0)


@pytest.fixture(scope="session")
def lab_env():
    return read_env()


def compose(*args, check=True, timeout=300, project_env=None):
    env = dict(os.environ, **(project_env or {}))
    return subprocess.run(["docker", "compose", *args], cwd=ROOT, check=check, text=True,
                          capture_output=True, timeout=timeout, env=env)


def exec_in(service, *cmd, check=True, timeout=300, env=None, project=None, input_text=None):
    """Runs a command in the service's container; fails the test when it exits non-zero and check is set."""
    proc = compose_exec(service, *cmd, env=env, timeout=timeout, project=project, input_text=input_text)
    if check and proc.returncode != 0:
        raise AssertionError(f"{service}: {' '.join(cmd)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def running_simulation(lab_env):
    with simulation_restored(lab_env["LAB_ADMIN_TOKEN"]):
        for app in SITE_PORTS:
            simulation(app, lab_env["LAB_ADMIN_TOKEN"], paused=False)
        yield


@pytest.fixture
def paused_simulation(lab_env):
    with simulation_restored(lab_env["LAB_ADMIN_TOKEN"]):
        for app in SITE_PORTS:
            assert simulation(app, lab_env["LAB_ADMIN_TOKEN"], paused=True)["paused"] is True
        yield
