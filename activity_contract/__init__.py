"""The lab's contract as code: the v1 event schema and the names of topics, tables, columns and paths.

The bottom layer: every component (sites, Storm bolts, dashboard, CLI, tests) imports it, and it imports
nothing of the lab's. Its only dependency is jsonschema (for `events`).
"""
