"""End-to-end tests: they run against the lab started by `make up` (make test does that first)."""

import contextlib
import os
import subprocess
import sys
import time

import pytest

from activity_clients.checkout import read_env
from activitylab.compose import exec_in as compose_exec
from activitylab.sites import SITE_PORTS, simulation
from lab_sites import simulation_restored

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# `make test-e2e` runs the end-to-end tests in four steps (tests/README.md), each on two workers (pytest-xdist) where
# its tests may run side by side:
# 1. every test that neither changes the simulated users nor stops or kills a service of the lab, each test taken by
#    the next free worker; the daily DAG's, the longest (it mostly waits for Airflow), first; the tests of a module
#    that share a cluster of their own on one worker (the scheduler below);
# 2. one at a time: the tests that start the simulated users and measure their flow into Kafka (which no other test
#    may add to meanwhile) or read every message of the topic (which must all be the sites');
# 3. the other tests that change the simulated users, one after the other (Flume's restart among them: it stops only
#    Flume, which no other test here reads), beside the one that kills the archive's driver (its own messages, some
#    not even JSON, go straight to the topic; these tests never read it);
# 4. one at a time, in this order: the tests that stop services the others need (Storm's worker, Kafka, the lab).
# (The DAG's test compares MariaDB's profiles, which the users change, with Hive's: no users in step 1.)
FIRST = "test_daily_batch.py"
# Modules whose tests share a module fixture that starts and removes something (a second compose project): on two
# workers it would be set up twice, and the first to finish would remove it under the other's test
ONE_WORKER = ("test_scale.py",)
LATER_STEPS = {
    "step2": ("test_cluster_watch.py", "test_ingestion.py"),
    "step3": ("test_dashboard.py", "test_speed_alerts.py", "test_flume_restart.py", "test_stream_archive.py"),
    "step4": ("test_speed_recovery.py", "test_kafka_outage.py", "test_restart.py"),
}
# Modules run one after the other on one worker, as one unit of work
UNITS = dict.fromkeys(("test_dashboard.py", "test_speed_alerts.py", "test_flume_restart.py"), "the users' tests")
RUN_LAST = LATER_STEPS["step4"]


def pytest_configure(config):
    config.addinivalue_line("markers", "later: not in make test-e2e's first step (see the step markers)")
    for step in LATER_STEPS:
        config.addinivalue_line("markers", f"{step}: in make test-e2e's step {step[-1]} (tests/e2e/conftest.py)")
    if not hasattr(config, "workerinput"):  # the run's main process (with or without xdist's workers)
        _pause_the_simulated_users(config)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
        for step, modules in LATER_STEPS.items():
            if item.fspath.basename in modules:
                item.add_marker(pytest.mark.later)
                item.add_marker(getattr(pytest.mark, step))

    def order(item):
        name = item.fspath.basename
        return (RUN_LAST.index(name) + 1 if name in RUN_LAST else 0), name != FIRST

    items.sort(key=order)


def pytest_xdist_make_scheduler(config, log):
    """Each test is a unit of work the next free worker takes, except that a module of ONE_WORKER is one unit and the
    modules of one UNITS name together are one, in their order. (xdist's own `loadgroup` marks no longer group
    anything since pytest 9, whose nodes ignore the id it rewrites.)"""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerModules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
            if module in UNITS:
                return UNITS[module]
            return module if module in ONE_WORKER else nodeid

    return OneWorkerModules(config, log)


_STARTED = time.monotonic()
_terminal = None


def pytest_sessionstart(session):
    global _terminal
    _terminal = session.config.pluginmanager.get_plugin("terminalreporter")


def pytest_runtest_logreport(report):
    """A line per finished test with its duration and the run's elapsed time: a CI log cut to its tail, or a run
    stopped by a time limit, still shows which tests ran and how long each took."""
    if _terminal is not None and (report.when == "call" or report.outcome != "passed"):
        _terminal.write_line(
            f"[e2e {time.monotonic() - _STARTED:5.0f} s] {report.outcome} in "
            f"{report.duration:.0f} s ({report.when}): {report.nodeid}"
        )


@pytest.fixture(scope="session")
def lab_env():
    return read_env()


def lab(*args, timeout=300):
    """The `lab` command with these arguments, as a user runs it; its exit status and output to check."""
    return subprocess.run(
        [sys.executable, "-m", "activitylab.cli", *args], cwd=ROOT, text=True, capture_output=True, timeout=timeout
    )


def compose(*args, check=True, timeout=300, project_env=None):
    env = dict(os.environ, **(project_env or {}))
    return subprocess.run(
        ["docker", "compose", *args], cwd=ROOT, check=check, text=True, capture_output=True, timeout=timeout, env=env
    )


def exec_in(service, *cmd, check=True, timeout=300, env=None, project=None, input_text=None):
    """Runs a command in the service's container; fails the test when it exits non-zero and check is set."""
    proc = compose_exec(service, *cmd, env=env, timeout=timeout, project=project, input_text=input_text)
    if check and proc.returncode != 0:
        raise AssertionError(f"{service}: {' '.join(cmd)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def _pause_the_simulated_users(config):
    """The 30 simulated users are paused for the run, their settings restored at its end: a test that needs their
    traffic starts it (running_simulation, or simulation_restored itself), the others count only their own
    events, and the batch tests get the CPU the users' pipeline takes when busy. Done once, by the run's main
    process: xdist's workers each run a session of their own, and one ending must not start the users while the
    other worker's test still runs."""
    token = read_env()["LAB_ADMIN_TOKEN"]
    restored = contextlib.ExitStack()
    restored.enter_context(simulation_restored(token))
    config.add_cleanup(restored.close)
    for app in SITE_PORTS:
        simulation(app, token, paused=True)


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
