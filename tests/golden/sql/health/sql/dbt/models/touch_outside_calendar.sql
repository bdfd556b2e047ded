{{ config(materialized='table') }}

SELECT
  s.item,
  SUM(
    CASE
      WHEN d.case_id IS NULL OR d.promise_late_us IS NULL OR d.target_late_us IS NULL
      THEN 1
      ELSE 0
    END
  ) AS outside_calendar
FROM {{ ref('touch_spans') }} AS s
LEFT JOIN {{ ref('touch_decisions') }} AS d
  ON d.item = s.item AND d.case_id = s.case_id
WHERE
  s.item IN (1, 2, 5, 8)
GROUP BY
  s.item
