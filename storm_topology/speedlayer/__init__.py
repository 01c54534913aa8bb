"""The speed layer's Python components (run by Storm through streamparse) and their pure logic.

Pure modules (unit-tested without Storm): offsets, routing, rows, sessions, alerts, settings.
Components (each a streamparse class run as `python -m streamparse.run speedlayer.<module>.<Class>`):
spout.EventSpout, parse_bolt.ParseBolt, counter_bolt.CounterBolt, user_bolt.UserBolt, alert_bolt.AlertBolt.
"""
