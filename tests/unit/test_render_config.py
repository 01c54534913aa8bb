"""compose/bin/render-config: placeholders, defaults, XML escaping, Hadoop's own ${...} left alone."""

import importlib.machinery
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_loader = importlib.machinery.SourceFileLoader("render_config", os.path.join(ROOT, "compose", "bin", "render-config"))
render_config = importlib.util.module_from_spec(importlib.util.spec_from_loader("render_config", _loader))
_loader.exec_module(render_config)


def test_placeholders_defaults_and_escaping(monkeypatch):
    monkeypatch.setenv("LAB_X", "a<b&c")
    monkeypatch.delenv("LAB_MISSING", raising=False)
    missing = set()
    text = "<v>{{LAB_X}}</v><d>{{LAB_MISSING:-7}}</d><h>${hadoop.tmp.dir}</h>"
    assert render_config.render_text(text, True, missing) == "<v>a&lt;b&amp;c</v><d>7</d><h>${hadoop.tmp.dir}</h>"
    assert missing == set()


def test_plain_files_are_not_escaped_and_missing_values_are_reported(monkeypatch):
    monkeypatch.setenv("LAB_X", "a<b")
    monkeypatch.delenv("LAB_NOPE", raising=False)
    missing = set()
    assert render_config.render_text("x={{ LAB_X }} y={{LAB_NOPE}}", False, missing) == "x=a<b y="
    assert missing == {"LAB_NOPE"}


def test_render_group_writes_files_and_fails_naming_the_key(tmp_path, monkeypatch, capsys):
    (tmp_path / "tpl" / "g").mkdir(parents=True)
    (tmp_path / "tpl" / "g" / "core-site.xml").write_text(
        "<configuration><property><name>db.password</name><value>{{LAB_PW}}</value></property>"
        "<property><name>fs.defaultFS</name><value>{{LAB_FS:-hdfs://nn:8020}}</value></property></configuration>"
    )
    monkeypatch.setattr(render_config, "TEMPLATES", str(tmp_path / "tpl"))
    monkeypatch.setattr(render_config, "TARGET", str(tmp_path / "out"))
    monkeypatch.setenv("LAB_PW", "s3cret")
    render_config.render_group("g")
    assert "s3cret" in (tmp_path / "out" / "g" / "core-site.xml").read_text()
    shown = capsys.readouterr().out
    assert "db.password = ****" in shown and "s3cret" not in shown and "fs.defaultFS = hdfs://nn:8020" in shown
    monkeypatch.delenv("LAB_PW")
    with pytest.raises(SystemExit, match="LAB_PW"):
        render_config.render_group("g")


def test_every_shipped_template_renders_with_defaults(tmp_path, monkeypatch):
    monkeypatch.setattr(render_config, "TEMPLATES", os.path.join(ROOT, "compose", "conf"))
    monkeypatch.setattr(render_config, "TARGET", str(tmp_path))
    monkeypatch.setenv("HIVE_DB_PASSWORD", "x")  # secrets are the only keys without a default,
    monkeypatch.setenv("SPARK_JARS_ID", "abc")  # with the image's Spark jar id (entrypoint: spark_config)
    for group in os.listdir(os.path.join(ROOT, "compose", "conf")):
        render_config.render_group(group)  # would exit naming any key without a default
    monkeypatch.setattr(render_config, "TEMPLATES", os.path.join(ROOT))  # Flume's templates live in flume/conf
    monkeypatch.setattr(render_config, "TARGET", str(tmp_path / "flume-rendered"))
    render_config.render_group("flume/conf")
    assert (
        "a1.sinks.hdfs.hdfs.rollInterval = 300"
        in (tmp_path / "flume-rendered" / "flume" / "conf" / "agent.conf").read_text()
    )
    assert "hdfs://namenode:8020" in (tmp_path / "hadoop" / "core-site.xml").read_text()
    assert "spark-jars-abc.zip" in (tmp_path / "spark" / "spark-defaults.conf").read_text()
