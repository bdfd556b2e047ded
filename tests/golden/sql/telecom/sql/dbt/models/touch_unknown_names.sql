{{ config(materialized='table') }}

SELECT
  x.touchpoint,
  x.event
FROM {{ ref('touch_event_names') }} AS x
LEFT JOIN {{ ref('touch_vocabulary') }} AS v
  ON v.touchpoint = x.touchpoint AND v.event = x.event
WHERE
  v.event IS NULL
