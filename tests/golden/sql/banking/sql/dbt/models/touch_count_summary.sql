{{ config(materialized='table') }}

SELECT
  item,
  period,
  total,
  events AS worst,
  stretch AS worst_stretch
FROM (
  SELECT
    item,
    period,
    events,
    stretch,
    SUM(events) OVER (PARTITION BY item, period) AS total,
    ROW_NUMBER() OVER (PARTITION BY item, period ORDER BY events DESC, stretch) AS rn
  FROM {{ ref('touch_count_stretches') }}
) AS ranked
WHERE
  rn = 1
