{{ config(materialized='table') }}

SELECT
  calendar,
  closings_before AS rank,
  from_us
FROM {{ source('touchdsl', 'touch_calendar') }}
WHERE
  closing_at = 1
