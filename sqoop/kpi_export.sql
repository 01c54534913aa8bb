-- The daily KPIs the batch layer exports back to MariaDB (sqoop/export_kpis.sh, the DAG's sqoop_export task), for
-- the operational side. MariaDB runs this file at every start (start-mariadb): CREATE IF NOT EXISTS keeps the rows.
CREATE TABLE IF NOT EXISTS activity.page_stats_daily (
  dt              DATE         NOT NULL,
  app_id          VARCHAR(16)  NOT NULL,
  page            VARCHAR(255) NOT NULL,
  views           BIGINT       NOT NULL,
  unique_users    BIGINT       NOT NULL,
  avg_latency_ms  DOUBLE,
  p95_latency_ms  DOUBLE,
  errors          BIGINT       NOT NULL,
  entries         BIGINT       NOT NULL,
  exits           BIGINT       NOT NULL,
  PRIMARY KEY (dt, app_id, page)
);

CREATE TABLE IF NOT EXISTS activity.sessions_daily (
  dt                 DATE         NOT NULL,
  app_id             VARCHAR(16)  NOT NULL,
  sessions           BIGINT       NOT NULL,
  bounce_rate        DOUBLE,
  avg_duration_s     DOUBLE,
  pages_per_session  DOUBLE,
  top_entry_page     VARCHAR(255),
  top_exit_page      VARCHAR(255),
  PRIMARY KEY (dt, app_id)
);

CREATE TABLE IF NOT EXISTS activity.shop_funnel_daily (
  dt          DATE         NOT NULL,
  step_order  INT          NOT NULL,
  step        VARCHAR(32)  NOT NULL,
  sessions    BIGINT       NOT NULL,
  conversion  DOUBLE,
  PRIMARY KEY (dt, step_order)
);
