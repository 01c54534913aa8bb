"""The v1 activity event: schema validation with field-naming errors, ids, times and a builder.

Everything that produces or checks an event (the sites' /collect, the simulator, backfill, tests)
goes through this module so there is one definition of "valid".
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

SCHEMA_VERSION = 1
# The fields that are text in every store (the archive's Parquet, the Arrow files of lab backfill), in field order
TEXT_FIELDS = (
    "event_id",
    "event_type",
    "event_time",
    "app_id",
    "user_id",
    "session_id",
    "page",
    "section",
    "referrer",
    "target",
)
FIELDS = ("schema_version", *TEXT_FIELDS, "http_status", "latency_ms", "geo", "device", "user_agent")
ROOT = "$"  # the "field" named when the body as a whole is wrong (not JSON, not an object, too large)

_TIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@lru_cache(maxsize=1)
def event_schema() -> dict[str, Any]:
    text = resources.files("activity_contract").joinpath("schema/event-v1.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = event_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_event(obj: Any) -> list[FieldError]:
    """All problems of `obj` as a v1 event, each naming its field (dotted, e.g. `geo.country`).

    Empty list means valid. Ordered by the contract's field order so the first error is stable.
    """
    errors: dict[tuple[str, str], FieldError] = {}
    for err in _validator().iter_errors(obj):
        for fe in _field_errors(err):
            errors.setdefault((fe.field, fe.message), fe)
    result = list(errors.values())
    if not result and isinstance(obj, Mapping):
        # The pattern admits 2026-02-30; only a real parse rejects impossible dates.
        try:
            parse_event_time(obj["event_time"])
        except ValueError as exc:
            result.append(FieldError("event_time", str(exc)))
    result.sort(key=_field_order)
    return result


def is_valid_event(obj: Any) -> bool:
    return not validate_event(obj)


def _field_errors(err: jsonschema.ValidationError) -> list[FieldError]:
    parent = ".".join(str(p) for p in err.absolute_path)
    if err.validator == "required" and isinstance(err.instance, Mapping):
        missing = [p for p in err.validator_value if p not in err.instance]
        return [FieldError(_join(parent, p), "required field is missing") for p in missing]
    if err.validator == "additionalProperties" and isinstance(err.instance, Mapping):
        known = err.schema.get("properties", {})
        extra = sorted(k for k in err.instance if k not in known)
        return [FieldError(_join(parent, k), "unknown field (not in schema v1)") for k in extra]
    message = err.message if len(err.message) <= 200 else err.message[:197] + "..."
    return [FieldError(parent or ROOT, message)]


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else str(name)


def _field_order(fe: FieldError) -> tuple[int, str]:
    top = fe.field.split(".", 1)[0]
    return (FIELDS.index(top) if top in FIELDS else len(FIELDS), fe.field)


def error_body(errors: list[FieldError], error: str = "invalid field") -> dict[str, Any]:
    """The JSON body of a /collect 400: the first error's field up front, all of them listed."""
    first = errors[0]
    return {"error": error, "field": first.field, "message": first.message, "errors": [e.as_dict() for e in errors]}


def parse_event_json(raw: bytes | str) -> tuple[Any, list[FieldError]]:
    """Decode a request body and validate it. Returns (event or None, errors)."""
    try:
        obj = json.loads(raw, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        return None, [FieldError(ROOT, f"body is not valid JSON: {exc}")]
    except RecursionError:  # e.g. "[[[[...": nested past the interpreter's limit, still only a bad body
        return None, [FieldError(ROOT, "body is not valid JSON: nested too deeply")]
    return obj, validate_event(obj)


def decode_message(value: bytes | None) -> tuple[str, str | None]:
    """A Kafka message's value as text, and why it cannot be an event before any parsing (None when fine)."""
    if value is None:
        return "", "$: empty message (null value)"
    try:
        return bytes(value).decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return bytes(value).decode(
            "utf-8", errors="replace"
        ), f"$: message is not valid UTF-8 ({exc.reason} at byte {exc.start})"


def message_error(value: bytes | None) -> str | None:
    """Why a Kafka message is not a valid v1 event (every field error, `field: message; ...`), None when it is.

    What the speed layer sends to the DLQ and the cold archive puts aside, worded the same in both."""
    text, reason = decode_message(value)
    if reason:
        return reason
    _, errors = parse_event_json(text)
    return "; ".join(str(e) for e in errors) or None


def _no_constant(name: str):
    """NaN and Infinity are not JSON (RFC 8259), though Python's parser accepts them: a NaN latency would
    pass the schema's range checks and poison every percentile downstream."""
    raise ValueError(f"{name} is not a JSON number")


def new_event_id() -> str:
    return str(uuid.uuid4())


def format_event_time(dt: datetime) -> str:
    """`2026-11-23T19:34:05.123Z`: UTC, milliseconds truncated (not rounded, so never into the next second)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("event times must be timezone-aware; convert local times explicitly")
    utc = dt.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_event_time(text: str) -> datetime:
    """Inverse of format_event_time; strict about the exact v1 shape."""
    m = _TIME_RE.match(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"not an RFC 3339 UTC time with milliseconds (YYYY-MM-DDTHH:MM:SS.mmmZ): {text!r}")
    y, mo, d, h, mi, s, ms = (int(g) for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"not a real date/time: {text!r} ({exc})") from None


def now_event_time() -> str:
    return format_event_time(datetime.now(UTC))


def build_event(
    *,
    event_type: str,
    app_id: str,
    user_id: str,
    session_id: str,
    page: str,
    section: str,
    http_status: int,
    latency_ms: float,
    country: str,
    city: str,
    device_type: str,
    os: str,
    browser: str,
    user_agent: str,
    referrer: str | None = None,
    target: str | None = None,
    event_time: datetime | str | None = None,
    event_id: str | None = None,
    validate: bool = True,
) -> dict[str, Any]:
    """Assemble a v1 event in contract field order. Raises ValueError listing the fields if invalid."""
    if event_time is None:
        event_time = datetime.now(UTC)
    if isinstance(event_time, datetime):
        event_time = format_event_time(event_time)
    event = {
        "schema_version": SCHEMA_VERSION,
        "event_id": event_id or new_event_id(),
        "event_type": event_type,
        "event_time": event_time,
        "app_id": app_id,
        "user_id": user_id,
        "session_id": session_id,
        "page": page,
        "section": section,
        "referrer": referrer,
        "target": target,
        "http_status": int(http_status),
        "latency_ms": round(float(latency_ms), 3),
        "geo": {"country": country, "city": city},
        "device": {"type": device_type, "os": os, "browser": browser},
        "user_agent": user_agent,
    }
    if validate:
        errors = validate_event(event)
        if errors:
            raise ValueError("invalid event: " + "; ".join(str(e) for e in errors))
    return event
