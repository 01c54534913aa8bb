"""`.env` generation (secrets, idempotence) and `lab wait`'s verdict on a container."""

import importlib.util
import os

from activitylab.compose import Container
from activitylab.wait import classify

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
spec = importlib.util.spec_from_file_location("make_env", os.path.join(ROOT, "scripts", "make_env.py"))
make_env = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_env)


def test_env_generation_fills_secrets_once_and_appends_new_keys(tmp_path, monkeypatch):
    (tmp_path / ".env.example").write_text("A=1\nSECRET=<generated>\nKAFKA_CLUSTER_ID=<generated-kafka-id>\n")
    monkeypatch.setattr(make_env, "ROOT", str(tmp_path))
    make_env.main()
    first = make_env.parse(tmp_path / ".env")
    assert first["A"] == "1" and len(first["SECRET"]) >= 20 and first["SECRET"] != "<generated>"
    assert len(first["KAFKA_CLUSTER_ID"]) == 22
    assert oct(os.stat(tmp_path / ".env").st_mode & 0o777) == "0o600"
    (tmp_path / ".env.example").write_text("A=2\nSECRET=<generated>\nKAFKA_CLUSTER_ID=x\nNEW=5\n")
    make_env.main()
    second = make_env.parse(tmp_path / ".env")
    assert second == {**first, "NEW": "5"}  # existing values untouched, the new key appended


def test_secrets_differ_between_machines():
    assert make_env.generated("<generated>") != make_env.generated("<generated>")


def test_fernet_keys_are_32_random_bytes_in_urlsafe_base64():
    import base64

    key = make_env.generated("<generated-fernet-key>")
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert key != make_env.generated("<generated-fernet-key>")


def c(service, state, health="", exit_code=0):
    return Container(f"lab-{service}-1", service, state, health, exit_code, [])


def test_wait_verdicts():
    assert classify(c("kafka", "running", "healthy")) == "ready"
    assert classify(c("kafka", "running", "starting")) == "waiting"
    assert classify(c("kafka", "running", "unhealthy")) == "failed"
    assert classify(c("kafka", "exited", exit_code=1)) == "failed"
    assert classify(c("kafka", "restarting")) == "failed"
    assert classify(c("hdfs-init", "running")) == "waiting"
    assert classify(c("hdfs-init", "exited", exit_code=0)) == "ready"
    assert classify(c("hdfs-init", "exited", exit_code=2)) == "failed"


def test_kafka_cluster_ids_never_start_with_a_dash(monkeypatch):
    """kafka-storage took an id like '-jfvRK...' for an option and the broker never formatted its log directory."""
    raw = iter([bytes([0xF8]) + bytes(15), bytes([0x12]) + bytes(15)])  # the first encodes to '-A...'
    monkeypatch.setattr(make_env.uuid, "uuid4", lambda: type("U", (), {"bytes": next(raw)})())
    cid = make_env.kafka_cluster_id()
    assert cid == "EgAAAAAAAAAAAAAAAAAAAA" and len(cid) == 22
