"""`lab beeline`'s command line: URL of database activity, -f of a host file through stdin."""

import pytest

from activitylab.hive import URL, beeline_command


def test_defaults_to_database_activity_and_passes_flags_through():
    cmd, stdin = beeline_command(["-e", "SELECT 1", "--outputformat=csv2"], False, "c1")
    assert cmd == ["docker", "exec", "c1", "beeline", "-u", URL, "-e", "SELECT 1", "--outputformat=csv2"]
    assert URL.endswith("/activity") and stdin is None


def test_an_interactive_session_gets_a_terminal_and_an_explicit_url_is_kept():
    cmd, _ = beeline_command(["-u", "jdbc:hive2://hiveserver2:10000/default"], True, "c1")
    assert cmd == ["docker", "exec", "-it", "c1", "beeline", "-u", "jdbc:hive2://hiveserver2:10000/default"]


def test_a_host_file_goes_through_stdin(tmp_path):
    q = tmp_path / "q.sql"
    q.write_text("SHOW TABLES;\n")
    cmd, stdin = beeline_command(["-f", str(q)], False, "c1")
    assert cmd == ["docker", "exec", "-i", "c1", "beeline", "-u", URL, "-f", "/dev/stdin"]
    assert stdin == "SHOW TABLES;\n"


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="no such file"):
        beeline_command(["-f", str(tmp_path / "nope.sql")], False, "c1")
