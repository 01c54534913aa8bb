"""Host tools and tests reach the lab where compose.yaml publishes it: LAB_BIND and each *_PORT of .env."""

import os
import re

import pytest

from activity_clients import endpoints

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


def test_every_port_key_of_env_example_is_an_endpoint_with_the_same_default():
    example = dict(re.findall(r"^([A-Z0-9_]+_PORT)=(\d+)$", read(".env.example"), re.M))
    assert example == {key: str(default) for key, default in endpoints.PORTS.values()}


def test_compose_publishes_each_endpoint_on_lab_bind_with_the_env_key_and_default():
    published = re.findall(r'"\$\{LAB_BIND:-127\.0\.0\.1\}:\$\{([A-Z0-9_]+):-(\d+)\}:(\d+)"', read("compose.yaml"))
    assert {key: int(default) for key, default, _ in published} == dict(endpoints.PORTS.values())
    assert not re.search(r'"\$\{LAB_BIND:-127\.0\.0\.1\}:\d', read("compose.yaml")), "a host port not from .env"


def test_defaults_without_env():
    env = {}
    assert endpoints.kafka_bootstrap(env) == "127.0.0.1:9092"
    assert endpoints.url("namenode", "/jmx", env=env) == "http://127.0.0.1:9870/jmx"
    assert endpoints.host_port("hbase-thrift", env) == ("127.0.0.1", 9090)


def test_bind_and_ports_from_env():
    env = {"LAB_BIND": "127.0.0.2", "SHOP_PORT": "15001", "KAFKA_PORT": "19092"}
    assert endpoints.url("shop", "/collect", env=env) == "http://127.0.0.2:15001/collect"
    assert endpoints.kafka_bootstrap(env) == "127.0.0.2:19092"
    assert endpoints.url("mariadb", "/activity", scheme="mysql", env=env) == "mysql://127.0.0.2:3306/activity"


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", ""])
def test_published_on_every_interface_is_reached_on_loopback(bind):
    assert endpoints.host({"LAB_BIND": bind}) == "127.0.0.1"


@pytest.mark.parametrize("value", ["abc", "0", "70000", "-1"])
def test_a_port_that_is_no_port_is_refused_naming_its_key(value):
    with pytest.raises(ValueError, match=f"NEWS_PORT={value}"):
        endpoints.port("news", {"NEWS_PORT": value})


def test_the_environment_overrides_env_file_as_for_docker_compose(monkeypatch):
    monkeypatch.setenv("DASHBOARD_PORT", "18501")
    assert endpoints.port("dashboard") == 18501
