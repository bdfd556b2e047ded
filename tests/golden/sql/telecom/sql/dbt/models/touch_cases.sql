{{ config(materialized='table') }}

SELECT
  s.tp,
  e.case_id,
  MIN(CASE WHEN s.slot = 0 THEN e.at_us END) AS first_0,
  COUNT(CASE WHEN s.slot = 0 THEN 1 END) AS count_0,
  MIN(CASE WHEN s.slot = 1 THEN e.at_us END) AS first_1,
  MIN(CASE WHEN s.slot = 2 THEN e.at_us END) AS first_2,
  MIN(CASE WHEN s.slot = 3 THEN e.at_us END) AS first_3,
  MIN(CASE WHEN s.slot = 4 THEN e.at_us END) AS first_4,
  MIN(CASE WHEN s.slot = 5 THEN e.at_us END) AS first_5
FROM {{ ref('touch_events') }} AS e
JOIN {{ ref('touch_slots') }} AS s
  ON s.touchpoint = e.touchpoint AND s.event = e.event
CROSS JOIN {{ ref('touch_run') }} AS n
WHERE
  e.at_us >= 0
  AND e.at_us <= n.as_of_us
  AND NOT e.case_id IS NULL
  AND e.case_id <> ''
GROUP BY
  s.tp,
  e.case_id
