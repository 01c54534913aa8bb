"""UserBolt: per user (fields grouping on user_id) the recent pages, the sessions and the last-seen time;
every `active_refresh_ms` the first task recounts each site's active users (5 and 30 minutes)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime

from activity_contract import names
from activity_contract.events import format_event_time

from .microbatch import MicroBatchBolt
from .routing import event_ms
from .sessions import decode_session_row, encode_session_row, is_idle, next_session, push_recent, session_update
from .storm_io import HBase

MARKER_PREFIX = f"{names.DEDUPE_FAMILY}:".encode()


def _marked(cells: dict[bytes, bytes]) -> set[str]:
    """The event ids whose markers a row read returned."""
    return {c[len(MARKER_PREFIX) :].decode() for c in cells if c.startswith(MARKER_PREFIX)}


class UserBolt(MicroBatchBolt):
    """Input stream `users`: (user_id, event)."""

    def setup(self):
        self.hbase = HBase(self.settings.hbase_host, self.settings.hbase_port)
        self.live: dict[str, dict] = {}  # user_id -> session state, for closing idle sessions
        self.next_refresh_ms = 0

    def flush(self, tups):
        by_user: dict[str, list[dict]] = defaultdict(list)
        for t in tups:
            by_user[t.values[0]].append(t.values[1])
        users, sessions = self.hbase.table(names.T_USER_RECENT_PAGES), self.hbase.table(names.T_SESSIONS)
        active = self.hbase.table(names.T_ACTIVE_USERS)
        for user_id, events in by_user.items():
            events.sort(key=lambda e: (e["event_time"], e["event_id"]))
            self._apply_user(users, sessions, active, user_id, events)

    def _apply_user(self, users, sessions, active, user_id, events):
        ids = [e["event_id"] for e in events]
        markers = [names.dedupe_column(i) for i in ids]
        cells = users.row(user_id.encode(), columns=[names.C_RECENT_PAGES, names.C_USER_SESSION, *markers])
        done = _marked(cells)
        pages = json.loads(cells.get(names.C_RECENT_PAGES, b"[]"))
        state = json.loads(cells[names.C_USER_SESSION]) if names.C_USER_SESSION in cells else None
        touched: dict[str, dict] = {}  # session key -> {"row": decoded row, "seen": applied ids, "new": ids}
        last_seen: dict[str, int] = {}
        active_days: set[bytes] = set()  # the user's (day, site) markers: the speed layer's daily active users
        applied = 0
        for e in events:
            if e["event_id"] in done:
                continue  # already applied to this user's row: a replay
            done.add(e["event_id"])
            applied += 1
            ms = event_ms(e)
            state, closed = next_session(state, e, ms)
            if closed:
                self._end_session(sessions, closed, "idle")
            key = state["key"]
            if key not in touched:
                srow = sessions.row(key.encode(), columns=[names.FAMILY.encode(), *markers])
                touched[key] = {"row": decode_session_row(srow), "seen": _marked(srow), "new": []}
            s = touched[key]
            if e["event_id"] not in s["seen"]:
                s["seen"].add(e["event_id"])
                s["new"].append(e["event_id"])
                s["row"] = session_update(s["row"], e, state)
            pages = push_recent(pages, e, ms)
            last_seen[e["app_id"]] = max(last_seen.get(e["app_id"], 0), ms)
            active_days.add(names.day_active_column(datetime.fromtimestamp(ms / 1000, UTC), e["app_id"]))
        # Session rows first, then the user row that points at them: after a crash in between, the replayed
        # events find their markers in the session rows (skipped there) and are applied to the user row.
        for key, s in touched.items():
            if s["new"]:
                put = encode_session_row(s["row"])
                put.update({names.dedupe_column(i): b"" for i in s["new"]})
                sessions.put(key.encode(), put)
        if state is not None:
            if applied:  # a batch of replays only changes nothing; the cell's time stays its newest event's write
                users.put(
                    user_id.encode(),
                    {
                        names.C_RECENT_PAGES: json.dumps(pages).encode(),
                        names.C_USER_SESSION: json.dumps(state).encode(),
                        **{m: b"" for m in markers},
                        **dict.fromkeys(active_days, b""),
                    },
                )
            self.live[user_id] = state
        for app_id, ms in last_seen.items():
            col = f"{names.LAST_SEEN_FAMILY}:{user_id}".encode()
            old = active.row(app_id.encode(), columns=[col]).get(col)
            if old is None or int(old) < ms:
                active.put(app_id.encode(), {col: str(ms).encode()})

    def _end_session(self, sessions, key: str, why: str):
        sessions.put(key.encode(), {names.C_SESSION_ENDED: why.encode()})

    def periodic(self, now_ms):
        if now_ms < self.next_refresh_ms:
            return
        self.next_refresh_ms = now_ms + self.settings.active_refresh_ms
        self._close_idle(now_ms)
        if self.task_index == 0:
            self._count_active(now_ms)

    def _close_idle(self, now_ms):
        idle = [u for u, st in self.live.items() if is_idle(st, now_ms)]
        if not idle:
            return
        users, sessions = self.hbase.table(names.T_USER_RECENT_PAGES), self.hbase.table(names.T_SESSIONS)
        for user_id in idle:
            state = dict(self.live.pop(user_id), ended="idle")
            self._end_session(sessions, state["key"], "idle")
            users.put(user_id.encode(), {names.C_USER_SESSION: json.dumps(state).encode()})

    def _count_active(self, now_ms):
        active = self.hbase.table(names.T_ACTIVE_USERS)
        stamp = format_event_time(datetime.fromtimestamp(now_ms / 1000, tz=UTC)).encode()
        for app_id in names.APPS:
            seen = [int(v) for v in active.row(app_id.encode(), columns=[names.LAST_SEEN_FAMILY.encode()]).values()]
            put = {
                f"{names.FAMILY}:{col}".encode(): names.encode_counter(sum(1 for ms in seen if ms >= now_ms - w * 1000))
                for col, w in names.ACTIVE_WINDOWS_S.items()
            }
            put[names.C_UPDATED_AT] = stamp
            active.put(app_id.encode(), put)

    def on_error(self):
        self.hbase.reset()
