"""`lab up`'s port checks (activitylab/host_ports.py) against this machine's real sockets and sysctl-like files."""

import socket

import pytest

from activitylab import host_ports, up
from activitylab.compose import Container


def test_the_reserved_ports_format_round_trips():
    assert host_ports.parse_ports("41414, 50000-50002\n") == {41414, 50000, 50001, 50002}
    assert host_ports.parse_ports("\n") == set()
    assert host_ports.format_ports({50002, 41414, 50000, 50001, 9}) == "9,41414,50000-50002"
    assert host_ports.format_ports(set()) == ""


def test_only_the_lab_ports_inside_the_ephemeral_range_need_reserving():
    ports = host_ports.lab_ports({})  # .env.example's defaults
    assert ports[41414] == "FLUME_PORT" and ports[9092] == "KAFKA_PORT" and len(ports) == len(host_ports.PORTS)
    assert host_ports.to_reserve(ports, (32768, 60999), set()) == {41414: "FLUME_PORT"}
    assert host_ports.to_reserve(ports, (32768, 60999), {41414}) == {}
    moved = host_ports.lab_ports({"KAFKA_PORT": "39092"})
    assert host_ports.to_reserve(moved, (32768, 60999), {41414}) == {39092: "KAFKA_PORT"}


@pytest.fixture
def sysctl(tmp_path, monkeypatch):
    """The two sysctl files, as files: Debian's range and one port reserved by someone else."""
    (tmp_path / "range").write_text("32768\t60999\n")
    (tmp_path / "reserved").write_text("50000\n")
    monkeypatch.setattr(host_ports, "RANGE_FILE", str(tmp_path / "range"))
    monkeypatch.setattr(host_ports, "RESERVED_FILE", str(tmp_path / "reserved"))
    return tmp_path / "reserved"


def test_reserving_adds_the_lab_ports_to_those_already_reserved_once(sysctl):
    said = []
    assert host_ports.reserve({}, said.append) == {}
    assert sysctl.read_text() == "41414,50000"
    assert said[0].startswith("lab up: reserved port(s) 41414 (FLUME_PORT) in net.ipv4.ip_local_reserved_ports")
    said.clear()
    assert host_ports.reserve({}, said.append) == {} and said == []  # already reserved: nothing to say


def test_without_root_reserving_says_the_command_and_changes_nothing(sysctl, monkeypatch):
    def refused(path, text):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(host_ports, "_write", refused)
    said = []
    assert host_ports.reserve({}, said.append) == {41414: "FLUME_PORT"}
    assert sysctl.read_text() == "50000\n"
    assert said[0].endswith("sudo sysctl -w net.ipv4.ip_local_reserved_ports=41414,50000")


def test_a_port_held_by_another_program_is_named_with_its_env_key_for_services_about_to_start():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        number = holder.getsockname()[1]
        env = {"LAB_BIND": "127.0.0.1", "FLUME_PORT": str(number)}
        assert host_ports.in_use("127.0.0.1", number)
        [line] = host_ports.taken(env, {"flume"})
        assert line.startswith(f"  127.0.0.1:{number} (FLUME_PORT, for flume):") and "FLUME_PORT in .env" in line
        assert host_ports.taken(env, set()) == []  # flume not about to start (running, or not asked for)
    assert not host_ports.in_use("127.0.0.1", number)  # closed: free again


def test_lab_up_stops_before_compose_when_a_port_of_a_service_not_running_is_taken(monkeypatch):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        number = holder.getsockname()[1]
        monkeypatch.setattr(up, "published_env", lambda: {"LAB_BIND": "127.0.0.1", "SHOP_PORT": str(number)})
        monkeypatch.setattr(up, "reserve", lambda env, out: {})
        monkeypatch.setattr(up, "compose", lambda *args: type("Done", (), {"stdout": "shop\n"}))  # active services
        monkeypatch.setattr(up, "containers", lambda: [])
        said = []
        assert up.ports_free([], said.append) is False
        assert said == [
            "lab up: these host ports are taken by something other than the lab, so Docker cannot publish them:",
            f"  127.0.0.1:{number} (SHOP_PORT, for shop): `ss -tanp 'sport = :{number}'` "
            "shows who holds it; stop that, or set another SHOP_PORT in .env",
        ]
        # the shop already running holds its own port (through Docker): nothing to say
        monkeypatch.setattr(up, "containers", lambda: [Container("p-shop-1", "shop", "running", "healthy", 0, [])])
        said.clear()
        assert up.ports_free([], said.append) is True and said == []
