"""Simulated users: a pure navigation model (model.py, sites.py), stable identities (users.py) and
the HTTP loop that runs them against a site (runner.py). Start with `python -m producers.simulator`."""
