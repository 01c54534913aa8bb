"""The v1 event schema and helpers: valid events pass, every malformation names its field."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import jsonschema
import pytest

from activity_contract.events import (
    FIELDS,
    build_event,
    error_body,
    event_schema,
    format_event_time,
    new_event_id,
    parse_event_json,
    parse_event_time,
    validate_event,
)


def test_schema_is_valid_draft_2020_12_and_lists_every_contract_field():
    schema = event_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("/2020-12/schema")
    assert tuple(schema["required"]) == FIELDS
    assert set(schema["properties"]) == set(FIELDS)
    assert schema["additionalProperties"] is False


def test_built_event_is_valid_and_survives_a_json_round_trip(event):
    e = event()
    assert validate_event(e) == []
    again = json.loads(json.dumps(e))
    assert again == e and validate_event(again) == []
    assert list(e) == list(FIELDS)


@pytest.mark.parametrize("event_type", event_schema()["properties"]["event_type"]["enum"])
def test_every_event_type_is_accepted(event, event_type):
    assert validate_event(event(event_type=event_type)) == []


@pytest.mark.parametrize(
    "change",
    [
        {"referrer": None},
        {"target": None},
        {"referrer": "https://www.google.com/search?q=tent"},
        {"http_status": 500},
        {"latency_ms": 0},
        {"user_id": "anon-0123456789abcdef"},
        {"device_type": "tablet"},
        {"country": "ZZ", "city": "Unknown"},
        {"app_id": "learn", "section": "lessons"},
    ],
)
def test_valid_variants(event, change):
    assert validate_event(event(**change)) == []


def _set(obj, dotted, value):
    *parents, last = dotted.split(".")
    for p in parents:
        obj = obj[p]
    if value is _DELETE:
        del obj[last]
    else:
        obj[last] = value


_DELETE = object()
MALFORMED = [  # (dotted field, new value or _DELETE, field expected in the error)
    ("schema_version", 2, "schema_version"),
    ("schema_version", "1", "schema_version"),
    ("event_id", "not-a-uuid", "event_id"),
    ("event_id", str(uuid.uuid4()).upper(), "event_id"),
    ("event_type", "teleport", "event_type"),
    ("event_time", "2026-11-23T19:34:05Z", "event_time"),
    ("event_time", "2026-11-23T19:34:05.123+01:00", "event_time"),
    ("event_time", "2026-02-30T10:00:00.000Z", "event_time"),
    ("event_time", 1795464000000, "event_time"),
    ("app_id", "blog", "app_id"),
    ("user_id", "", "user_id"),
    ("user_id", "has space", "user_id"),
    ("session_id", None, "session_id"),
    ("page", "product/42", "page"),
    ("section", "Catalog Pages", "section"),
    ("referrer", 42, "referrer"),
    ("target", "", "target"),
    ("http_status", "200", "http_status"),
    ("http_status", 200.5, "http_status"),
    ("http_status", 99, "http_status"),
    ("latency_ms", -1, "latency_ms"),
    ("latency_ms", "12", "latency_ms"),
    ("geo", "DE", "geo"),
    ("geo.country", "DEU", "geo.country"),
    ("geo.country", "de", "geo.country"),
    ("geo.city", _DELETE, "geo.city"),
    ("geo.planet", "earth", "geo.planet"),
    ("device.type", "smartwatch", "device.type"),
    ("device.os", "", "device.os"),
    ("user_agent", None, "user_agent"),
    ("user_agent", _DELETE, "user_agent"),
    ("extra_field", 1, "extra_field"),
]


@pytest.mark.parametrize("dotted,value,field", MALFORMED, ids=[f"{m[0]}={m[1]!r}"[:40] for m in MALFORMED])
def test_malformation_is_reported_on_its_field(event, dotted, value, field):
    e = copy.deepcopy(event())
    _set(e, dotted, value)
    errors = validate_event(e)
    assert errors, f"{dotted}={value!r} should be invalid"
    assert errors[0].field == field
    assert all(err.message for err in errors)


@pytest.mark.parametrize("missing", FIELDS)
def test_each_missing_field_is_named(event, missing):
    e = event()
    del e[missing]
    assert [err.field for err in validate_event(e)] == [missing]


def test_all_errors_are_listed_in_contract_order(event):
    e = event()
    e["latency_ms"] = "slow"
    e["event_type"] = "nope"
    del e["user_id"]
    fields = [err.field for err in validate_event(e)]
    assert fields == ["event_type", "user_id", "latency_ms"]
    body = error_body(validate_event(e))
    assert body["error"] == "invalid field" and body["field"] == "event_type" and len(body["errors"]) == 3


@pytest.mark.parametrize(
    "raw,field",
    [(b"{not json", "$"), (b"", "$"), (b"[1, 2]", "$"), (b'"text"', "$"), (b"null", "$"), (b"\xff\xfe", "$")],
)
def test_bodies_that_are_not_an_object_name_the_root(raw, field):
    obj, errors = parse_event_json(raw)
    assert errors and errors[0].field == field


def test_event_times_format_and_parse_back():
    dt = datetime(2026, 11, 23, 19, 34, 5, 123987, tzinfo=UTC)
    assert format_event_time(dt) == "2026-11-23T19:34:05.123Z"
    assert parse_event_time("2026-11-23T19:34:05.123Z") == dt.replace(microsecond=123000)
    local = dt.astimezone(timezone(timedelta(hours=-5)))
    assert format_event_time(local) == "2026-11-23T19:34:05.123Z"
    with pytest.raises(ValueError):
        format_event_time(datetime(2026, 1, 1))  # naive: ambiguous, refused
    for bad in ("2026-11-23 19:34:05.123Z", "2026-11-23T19:34:05.1234Z", "2026-13-01T00:00:00.000Z"):
        with pytest.raises(ValueError):
            parse_event_time(bad)


def test_event_ids_are_canonical_unique_uuids():
    ids = {new_event_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(str(uuid.UUID(i)) == i for i in ids)


def test_build_event_refuses_invalid_input_naming_fields():
    with pytest.raises(ValueError, match="geo.country"):
        build_event(
            event_type="click",
            app_id="shop",
            user_id="u",
            session_id="s",
            page="/",
            section="home",
            http_status=200,
            latency_ms=1,
            country="Germany",
            city="Berlin",
            device_type="desktop",
            os="Linux",
            browser="Firefox",
            user_agent="x",
        )


def test_nan_latency_and_deep_nesting_are_invalid_json_not_crashes():
    obj, errors = parse_event_json('{"latency_ms": NaN}')
    assert obj is None and errors[0].field == "$" and "NaN is not a JSON number" in errors[0].message
    obj, errors = parse_event_json("[" * 100_000)
    assert obj is None and errors[0].message == "body is not valid JSON: nested too deeply"
