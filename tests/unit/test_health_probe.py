"""The healthcheck's pacing (compose/bin/health --paced): the first success since the container started exits at
once (Docker marks the service healthy when the probe exits); later successes sleep PACE_S before they exit, within
the probe's timeout; a failure exits at once and makes the next success answer at once again."""

import importlib.machinery
import importlib.util
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_health():
    path = os.path.join(ROOT, "compose", "bin", "health")
    loader = importlib.machinery.SourceFileLoader("lab_health", path)
    spec = importlib.util.spec_from_loader("lab_health", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def compose_text():
    with open(os.path.join(ROOT, "compose.yaml"), encoding="utf-8") as f:
        return f.read()


def seconds(value):
    return int(value.rstrip("s"))


def test_every_healthcheck_of_compose_is_the_paced_probe():
    tests = re.findall(r"healthcheck: \{[^}]*test: \[([^\]]*)\]", compose_text())
    assert len(tests) >= 25
    assert all(re.fullmatch(r"CMD, health, --paced, [a-z0-9-]+", t) for t in tests), tests


def test_the_probe_timeout_covers_the_pace_and_the_longest_check():
    probe = re.search(r"x-probe: &probe\n((?:  .*\n)+)", compose_text()).group(1)
    settings = dict(re.findall(r"^  (\w+): (\S+)$", probe, re.M))
    assert seconds(settings["timeout"]) >= load_health().PACE_S + 10  # checks give up after 4-8 s
    assert seconds(settings["timeout"]) >= load_health().WATCH_S + 10
    assert seconds(settings["interval"]) <= 3  # the first probe of a starting service, then it watches
    assert seconds(settings["interval"]) * int(settings["retries"]) >= 60  # unhealthy after ~1 min, as before


@pytest.fixture
def health(monkeypatch, tmp_path):
    module = load_health()
    execs, start = [], ["4242"]
    monkeypatch.setattr(module.os, "execv", lambda path, argv: execs.append(argv))
    monkeypatch.setattr(module, "CHECKS", {"good": lambda: None, "bad": lambda: 1 / 0})
    monkeypatch.setattr(module, "MARK", str(tmp_path / "mark"))
    monkeypatch.setattr(module, "container_start", lambda: start[0])
    monkeypatch.setattr(module, "container_age_s", lambda: 3600)  # a container long started: no watching
    return module, execs, start


@pytest.fixture
def clock(monkeypatch):
    """time.monotonic and time.sleep on a fake clock: sleeping advances it."""
    now = [1000.0]
    monkeypatch.setattr("time.monotonic", lambda: now[0])
    monkeypatch.setattr("time.sleep", lambda s: now.__setitem__(0, now[0] + s))
    return now


def test_a_young_containers_failing_probe_checks_again_until_the_service_answers(health, clock, monkeypatch, capsys):
    module, execs, _ = health
    monkeypatch.setattr(module, "container_age_s", lambda: 20)
    answers = iter([ConnectionRefusedError, ConnectionRefusedError, None])

    def starting():
        answer = next(answers)
        if answer:
            raise answer("not yet")

    module.CHECKS["starting"] = starting
    module.main(["--paced", "starting"])
    assert "starting: healthy" in capsys.readouterr().out and execs == []
    assert clock[0] == 1000.0 + 2 * module.WATCH_STEP_S  # seen within a step of its first answer


def test_a_young_containers_probe_gives_up_within_its_watch(health, clock, monkeypatch, capsys):
    module, _, _ = health
    monkeypatch.setattr(module, "container_age_s", lambda: 20)
    with pytest.raises(SystemExit) as exit_:
        module.main(["--paced", "bad"])
    assert exit_.value.code == 1 and "bad: unhealthy: ZeroDivisionError" in capsys.readouterr().out
    assert module.WATCH_S - 8 - module.WATCH_STEP_S <= clock[0] - 1000.0 <= module.WATCH_S - 8


def test_an_older_containers_or_a_by_hand_probe_fails_at_once(health, clock, monkeypatch):
    module, _, _ = health
    for argv, age in ((["--paced", "bad"], 3600), (["bad"], 20)):
        monkeypatch.setattr(module, "container_age_s", lambda age=age: age)
        with pytest.raises(SystemExit):
            module.main(argv)
    assert clock[0] == 1000.0


def test_the_first_success_answers_at_once_and_later_ones_sleep(health, capsys):
    module, execs, _ = health
    module.main(["--paced", "good"])
    assert execs == [] and "good: healthy" in capsys.readouterr().out
    module.main(["--paced", "good"])
    module.main(["--paced", "good"])
    assert execs == [["sleep", str(module.PACE_S)]] * 2


def test_a_restarted_container_answers_at_once_again(health):
    module, execs, start = health
    module.main(["--paced", "good"])
    start[0] = "5151"  # PID 1 started again, /tmp kept
    module.main(["--paced", "good"])
    assert execs == []
    module.main(["--paced", "good"])
    assert execs == [["sleep", str(module.PACE_S)]]


def test_a_failure_answers_at_once_and_so_does_the_next_success(health, capsys):
    module, execs, _ = health
    module.main(["--paced", "good"])
    with pytest.raises(SystemExit) as exit_:
        module.main(["--paced", "bad"])
    assert exit_.value.code == 1 and "bad: unhealthy: ZeroDivisionError" in capsys.readouterr().out
    module.main(["--paced", "good"])
    assert execs == []


def test_a_probe_by_hand_never_sleeps_nor_marks(health, tmp_path):
    module, execs, _ = health
    module.main(["good"])
    module.main(["good"])
    assert execs == [] and not (tmp_path / "mark").exists()


def test_an_unknown_role_names_the_known_ones(health):
    module, _, _ = health
    with pytest.raises(SystemExit, match="unknown role 'nope'; known: good, bad"):
        module.main(["--paced", "nope"])


def test_container_start_reads_pid_1(tmp_path):
    assert load_health().container_start().isdigit()
    assert load_health().container_age_s() >= 0
