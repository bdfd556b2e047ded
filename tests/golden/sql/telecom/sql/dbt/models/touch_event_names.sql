{{ config(materialized='table') }}

SELECT
  touchpoint,
  event,
  COUNT(*) AS n
FROM {{ ref('touch_events') }}
GROUP BY
  touchpoint,
  event
