"""Activity Lab producers: the three Flask sites, their Kafka sink and the simulated users."""
