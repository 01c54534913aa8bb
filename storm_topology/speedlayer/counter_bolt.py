"""CounterBolt: page_counts and minute_stats, exact under replays (rows.py), grouped by row."""

from __future__ import annotations

from collections import defaultdict

from .microbatch import MicroBatchBolt
from .routing import split_key
from .rows import apply_counters, counter_columns
from .storm_io import HBase


class CounterBolt(MicroBatchBolt):
    """Input stream `counts`: (key "table|row", event_id, deltas {column: n})."""

    def setup(self):
        self.hbase = HBase(self.settings.hbase_host, self.settings.hbase_port)
        self.skipped = 0

    def flush(self, tups):
        by_row: dict[str, list] = defaultdict(list)
        for t in tups:
            key, event_id, deltas = t.values
            by_row[key].append((event_id, deltas))
        by_table: dict[str, list] = defaultdict(list)
        for key, updates in by_row.items():
            table, row = split_key(key)
            by_table[table].append((row, updates))
        for table_name, rows in by_table.items():
            table = self.hbase.table(table_name)
            with table.batch() as batch:
                for row, updates in rows:
                    current = table.row(row, columns=counter_columns(updates))
                    put, skipped = apply_counters(current, updates)
                    self.skipped += skipped
                    if put:
                        batch.put(row, put)
        if self.skipped:
            self.logger.info("replayed events skipped so far: %d", self.skipped)

    def on_error(self):
        self.hbase.reset()
