{{ config(materialized='table') }}

SELECT
  item,
  case_id,
  start_us,
  value_us,
  late_us,
  overdue
FROM (
  SELECT
    d.item,
    d.case_id,
    d.start_us,
    d.value_us,
    d.promise_late_us AS late_us,
    ROW_NUMBER() OVER (PARTITION BY d.item ORDER BY d.promise_late_us, d.case_id) AS rn,
    COUNT(*) OVER (PARTITION BY d.item) AS overdue
  FROM {{ ref('touch_decisions') }} AS d
  WHERE
    d.end_us IS NULL AND d.promise_met = 0
) AS ranked
WHERE
  rn <= 50
