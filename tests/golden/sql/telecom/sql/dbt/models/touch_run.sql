{{ config(materialized='view') }}

SELECT
  COALESCE(MAX(CASE WHEN x.at_us <= x.now_us THEN x.at_us END), MAX(x.now_us)) AS as_of_us
FROM (
  SELECT
    e.at_us,
    w.now_us
  FROM {{ ref('touch_events') }} AS e
  CROSS JOIN (
    SELECT
      EPOCH_US(CURRENT_TIMESTAMP) AS now_us
  ) AS w
  WHERE
    e.at_us >= 0
  UNION ALL
  SELECT
    CAST(NULL AS BIGINT) AS at_us,
    EPOCH_US(CURRENT_TIMESTAMP) AS now_us
) AS x
