"""Activity Lab shared package: event schema, settings, host clients and the `lab` CLI."""
