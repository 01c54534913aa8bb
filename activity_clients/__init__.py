"""The lab's clients, one per service they talk to: where the host reaches the lab (checkout, endpoints), Nimbus,
the sites' admin API. Imported by the `lab` CLI, the dashboard, the topology's deploy script and the tests; above
the contract (activity_contract), below every component."""
