{{ config(materialized='table') }}

SELECT
  kind,
  MIN(item) AS item,
  src,
  src_row,
  case_id,
  touchpoint,
  event,
  at_us,
  at_text,
  value_text
FROM {{ ref('touch_problems') }}
GROUP BY
  kind,
  src,
  src_row,
  case_id,
  touchpoint,
  event,
  at_us,
  at_text,
  value_text
