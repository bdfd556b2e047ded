{{ config(materialized='table') }}

SELECT
  3 AS item,
  c.case_id,
  c.first_4 AS den_at,
  c.first_3 AS num_at
FROM {{ ref('touch_cases') }} AS c
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 3
WHERE
  c.tp = 0 AND COALESCE(c.first_4, c.first_3) >= r.from_us
UNION ALL
SELECT
  4 AS item,
  c.case_id,
  c.first_6 AS den_at,
  c.first_5 AS num_at
FROM {{ ref('touch_cases') }} AS c
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 4
WHERE
  c.tp = 0 AND COALESCE(c.first_6, c.first_5) >= r.from_us
