"""The `lab` commands a user runs against the lab: status, smoke, sim and storm."""
import os
import re
import subprocess

from conftest import ROOT

from activitylab.nimbus import topology_summary
from activitylab.services import SERVICES

LAB = os.path.join(ROOT, ".venv", "bin", "lab")


def run(*args):
    return subprocess.run([LAB, *args], cwd=ROOT, text=True, capture_output=True, timeout=600)


def test_status_lists_every_service_ok_and_storm_slots():
    proc = run("status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for s in SERVICES:
        assert f"ok  activity-lab-{s.name}-1" in proc.stdout, s.name
    assert "supervisor(s)" in proc.stdout and "free slot(s)" in proc.stdout


def test_smoke_passes_every_component_check():
    proc = run("smoke")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("\nok   ") + proc.stdout.startswith("ok   ") == 11
    assert "smoke: 11 of 11 checks passed" in proc.stdout
    assert "ok   Hive            PyHive on localhost:10000: databases activity, default" in proc.stdout
    assert "ok   Flume" in proc.stdout
    assert "ok   Speed layer     activity-speed ACTIVE" in proc.stdout


def test_sim_status_lists_the_three_sites_and_refuses_a_bad_speed():
    proc = run("sim", "status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines()[1:]}
    assert set(rows) == {"shop", "news", "learn"}
    assert all(int(row[4]) > 0 for row in rows.values())  # page views so far
    proc = run("sim", "speed", "99", "--app", "news")
    assert proc.returncode == 1
    assert "news: PUT /admin/simulation refused (HTTP 400): speed: must be a number from 0.1 to 20" in proc.stdout


def test_storm_status_shows_the_topology_and_the_spouts_lag():
    proc = run("storm", "status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "topology activity-speed: ACTIVE" in proc.stdout
    assert re.search(r"Kafka lag of the spout: \d+ message\(s\) of user-activity", proc.stdout), proc.stdout


def test_storm_deploy_leaves_an_unchanged_topology_alone():
    before = topology_summary()
    proc = run("storm", "deploy")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "with this code and settings" in proc.stdout and "nothing to do" in proc.stdout, proc.stdout
    assert topology_summary()["id"] == before["id"]
