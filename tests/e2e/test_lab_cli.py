"""The `lab` commands a user runs against the lab: status and smoke."""
import os
import subprocess

from conftest import ROOT

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
    assert proc.stdout.count("\nok   ") + proc.stdout.startswith("ok   ") == 8
    assert "smoke: 8 of 8 checks passed" in proc.stdout
