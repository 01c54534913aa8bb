"""Writes Prometheus' configuration for this lab, from the contract's scrape jobs and the environment.

    python3 -m monitoring.prometheus_config OUT.yml

Run by the `prometheus` container at every start (compose/bin/entrypoint), like render-config for the other
services. The batch profile's jobs are scraped only when it is on (LAB_PROFILES, compose's COMPOSE_PROFILES): a
light lab has no target down for a service it never started. Scaled workers are found by DNS, every replica.
The file is JSON, which is YAML too: the image needs no YAML library.
"""

from __future__ import annotations

import json
import os
import sys

from activity_contract.metrics import PIPELINE_EXPORTER, PIPELINE_EXPORTER_PORT, ScrapeJob, batch_on, scrape_jobs

SCRAPE_INTERVAL = "15s"
RULES = ["/opt/lab/src/monitoring/alerts.yml", "/opt/lab/src/monitoring/recording.yml"]


def scrape_config(job: ScrapeJob) -> dict:
    config: dict = {"job_name": job.job, "metrics_path": job.path}
    if job.discovered:
        # the targets Nimbus knows of, listed by the pipeline exporter (Prometheus' HTTP service discovery)
        url = f"http://{PIPELINE_EXPORTER}:{PIPELINE_EXPORTER_PORT}{job.discovered}"
        config["http_sd_configs"] = [{"url": url, "refresh_interval": "15s"}]
    elif job.scaled:
        # Docker's DNS answers a service name with every running replica's address.
        config["dns_sd_configs"] = [{"names": [job.service], "type": "A", "port": job.port, "refresh_interval": "15s"}]
    else:
        config["static_configs"] = [{"targets": [f"{job.service}:{job.port}"]}]
    if job.path == "/prom":
        # Hadoop tags the NameNode's FSNamesystem series with its count of edit log syncs: a new series at every
        # sync, unless the label goes.
        config["metric_relabel_configs"] = [{"action": "labeldrop", "regex": "totalsynctimes"}]
    return config


def prometheus_config(profiles: str) -> dict:
    return {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": SCRAPE_INTERVAL, "scrape_timeout": "10s"},
        "rule_files": RULES,
        "scrape_configs": [scrape_config(j) for j in scrape_jobs(batch_on(profiles))],
    }


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit("usage: python3 -m monitoring.prometheus_config OUT.yml")
    profiles = os.environ.get("LAB_PROFILES", "")
    config = prometheus_config(profiles)
    with open(argv[0], "w", encoding="utf-8") as f:
        json.dump(config, f, indent=1)
    jobs = ", ".join(c["job_name"] for c in config["scrape_configs"])
    print(f"prometheus_config: {len(config['scrape_configs'])} jobs (profiles '{profiles}'): {jobs}")


if __name__ == "__main__":
    main(sys.argv[1:])
