"""One CLI style: every `lab` command and action is a subcommand with its own help and only its own flags, the same
--wait/--no-wait and --timeout everywhere, and usage errors on stderr with exit status 2."""

from __future__ import annotations

import argparse

import pytest

from activitylab.cli import main, parser


def subcommands(
    p: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """{("sim", "speed"): its parser, ...} for every command and nested action."""
    found = {}
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found[(*path, name)] = child
                found.update(subcommands(child, (*path, name)))
    return found


def options(p: argparse.ArgumentParser) -> set[str]:
    return {s for a in p._actions for s in a.option_strings}


COMMANDS = subcommands(parser())


def test_every_command_and_action_is_a_subcommand():
    assert {path for path in COMMANDS if len(path) == 1} == {
        ("up",), ("wait",), ("urls",), ("status",), ("smoke",), ("sim",), ("storm",), ("trace",), ("beeline",),
        ("hive",), ("shell",), ("airflow",), ("batch",), ("replay",), ("backfill",), ("bench",),
    }  # fmt: skip
    for path in [("sim", a) for a in ("status", "pause", "resume", "speed", "users")] + [
        ("storm", "deploy"),
        ("storm", "kill"),
        ("storm", "status"),
        ("storm", "pause"),
        ("storm", "resume"),
        ("hive", "list"),
        ("hive", "run"),
        ("airflow", "status"),
        ("airflow", "trigger"),
        ("batch", "run"),
        ("batch", "backfill"),
    ]:
        assert path in COMMANDS, path


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_each_has_its_own_help(path, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*path, "--help"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: lab {' '.join(path)}")


@pytest.mark.parametrize(
    "argv, refused",
    [
        (["storm", "status", "--force"], "--force"),
        (["storm", "kill", "--force"], "--force"),
        (["sim", "pause", "3"], "3"),
        (["airflow", "status", "lab_smoke"], "lab_smoke"),
        (["hive", "list", "page-hits"], "page-hits"),
    ],
)
def test_a_flag_or_value_of_another_action_is_a_usage_error_on_stderr(argv, refused, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out, err = capsys.readouterr()
    assert stop.value.code == 2 and out == ""
    assert f"unrecognized arguments: {refused}" in err


def test_a_missing_value_is_a_usage_error_on_stderr(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["sim", "speed"])
    out, err = capsys.readouterr()
    assert stop.value.code == 2 and out == "" and "the following arguments are required: X" in err


def test_waiting_commands_share_wait_and_timeout():
    for path in [("airflow", "trigger"), ("batch", "run"), ("batch", "backfill")]:
        assert {"--wait", "--no-wait", "--timeout"} <= options(COMMANDS[path]), path
    for path in [("up",), ("wait",), ("replay",)]:
        assert "--timeout" in options(COMMANDS[path]), path
    timeouts = [a for p in COMMANDS.values() for a in p._actions if "--timeout" in a.option_strings]
    assert {(a.type, a.metavar, a.dest) for a in timeouts} == {(float, "SECONDS", "timeout")}


def test_the_old_spellings_still_work():
    args = parser().parse_args(["batch", "run", "--date", "2025-01-01", "--no-wait"])
    assert args.wait is False and args.timeout == 7200
    args = parser().parse_args(["airflow", "trigger", "lab_smoke", "--wait", "--timeout", "60"])
    assert args.wait is True and args.timeout == 60.0
    args = parser().parse_args(["replay", "--app", "shop", "--wait-timeout", "30", "x.log"])
    assert args.timeout == 30.0
    args = parser().parse_args(["sim", "users", "5", "--app", "news"])
    assert (args.action, args.value, args.apps) == ("users", 5, ["news"])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["replay", "--app", "shop", "/nonexistent/access.log"], "lab replay: no such file: /nonexistent/access.log"),
        (["replay", "--app", "shop", "--speed", "0", __file__], "lab replay: --speed must be above 0"),
        (["backfill"], "lab backfill: give files to load"),
        (["backfill", "/nonexistent/events.csv"], "lab backfill: no such file: /nonexistent/events.csv"),
        (["batch", "run", "--date", "2025-02-30"], "lab batch run: --date must be YYYY-MM-DD, not '2025-02-30'"),
    ],
)
def test_usage_errors_go_to_stderr_with_status_2(argv, message, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(message)
