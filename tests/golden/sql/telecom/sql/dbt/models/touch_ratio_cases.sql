{{ config(materialized='table') }}

SELECT
  2 AS item,
  c.case_id,
  c.first_4 AS den_at,
  c.first_3 AS num_at
FROM {{ ref('touch_cases') }} AS c
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 2
WHERE
  c.tp = 0 AND COALESCE(c.first_4, c.first_3) >= r.from_us
UNION ALL
SELECT
  6 AS item,
  c.case_id,
  c.first_3 AS den_at,
  c.first_2 AS num_at
FROM {{ ref('touch_cases') }} AS c
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 6
WHERE
  c.tp = 1 AND COALESCE(c.first_3, c.first_2) >= r.from_us
