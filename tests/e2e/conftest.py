"""End-to-end tests: they run against the lab started by `make up` (make test does that first)."""
import os
import subprocess
import time

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


_STARTED = time.monotonic()
_terminal = None


def pytest_sessionstart(session):
    global _terminal
    _terminal = session.config.pluginmanager.get_plugin("terminalreporter")


def pytest_runtest_logreport(report):
    """A line per finished test with its duration and the run's elapsed time: a CI log cut to its tail, or a run
    stopped by a time limit, still shows which tests ran and how long each took."""
    if _terminal is not None and (report.when == "call" or report.outcome != "passed"):
        _terminal.write_line(f"[e2e {time.monotonic() - _STARTED:5.0f} s] {report.outcome} in "
                             f"{report.duration:.0f} s ({report.when}): {report.nodeid}")


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


@pytest.fixture(scope="session", autouse=True)
def quiet_sites(lab_env):
    """The 30 simulated users are paused for the run, their settings restored at its end: a test that needs their
    traffic starts it (running_simulation, or simulation_restored itself), the others count only their own
    events, and the batch tests get the CPU the users' pipeline takes when busy (measured with the lab idle: all
    containers 147 % of a core with the users browsing, 99 % paused)."""
    with simulation_restored(lab_env["LAB_ADMIN_TOKEN"]):
        for app in SITE_PORTS:
            simulation(app, lab_env["LAB_ADMIN_TOKEN"], paused=True)
        yield


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
