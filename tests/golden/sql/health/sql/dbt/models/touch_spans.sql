{{ config(materialized='table') }}

SELECT
  0 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.first_1 AS end_us,
  COALESCE(c.first_1, n.as_of_us) AS stop_us
FROM {{ ref('touch_cases') }} AS c
CROSS JOIN {{ ref('touch_run') }} AS n
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 0
WHERE
  c.tp = 0
  AND NOT c.first_0 IS NULL
  AND (
    c.first_1 IS NULL OR c.first_1 >= c.first_0
  )
  AND COALESCE(c.first_1, n.as_of_us) >= r.from_us
UNION ALL
SELECT
  1 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.first_2 AS end_us,
  COALESCE(c.first_2, n.as_of_us) AS stop_us
FROM {{ ref('touch_cases') }} AS c
CROSS JOIN {{ ref('touch_run') }} AS n
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 1
WHERE
  c.tp = 0
  AND NOT c.first_0 IS NULL
  AND (
    c.first_2 IS NULL OR c.first_2 >= c.first_0
  )
  AND COALESCE(c.first_2, n.as_of_us) >= r.from_us
  AND c.seg_lo = 'urgent'
  AND c.seg_hi = 'urgent'
UNION ALL
SELECT
  2 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.first_2 AS end_us,
  COALESCE(c.first_2, n.as_of_us) AS stop_us
FROM {{ ref('touch_cases') }} AS c
CROSS JOIN {{ ref('touch_run') }} AS n
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 2
WHERE
  c.tp = 0
  AND NOT c.first_0 IS NULL
  AND (
    c.first_2 IS NULL OR c.first_2 >= c.first_0
  )
  AND COALESCE(c.first_2, n.as_of_us) >= r.from_us
  AND c.seg_lo = 'routine'
  AND c.seg_hi = 'routine'
UNION ALL
SELECT
  5 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.first_1 AS end_us,
  COALESCE(c.first_1, n.as_of_us) AS stop_us
FROM {{ ref('touch_cases') }} AS c
CROSS JOIN {{ ref('touch_run') }} AS n
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 5
WHERE
  c.tp = 1
  AND NOT c.first_0 IS NULL
  AND (
    c.first_1 IS NULL OR c.first_1 >= c.first_0
  )
  AND COALESCE(c.first_1, n.as_of_us) >= r.from_us
UNION ALL
SELECT
  7 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.first_1 AS end_us,
  COALESCE(c.first_1, n.as_of_us) AS stop_us
FROM {{ ref('touch_cases') }} AS c
CROSS JOIN {{ ref('touch_run') }} AS n
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 7
WHERE
  c.tp = 1
  AND NOT c.first_0 IS NULL
  AND (
    c.first_1 IS NULL OR c.first_1 >= c.first_0
  )
  AND COALESCE(c.first_1, n.as_of_us) >= r.from_us
UNION ALL
SELECT
  8 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.first_1 AS end_us,
  COALESCE(c.first_1, n.as_of_us) AS stop_us
FROM {{ ref('touch_cases') }} AS c
CROSS JOIN {{ ref('touch_run') }} AS n
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 8
WHERE
  c.tp = 2
  AND NOT c.first_0 IS NULL
  AND (
    c.first_1 IS NULL OR c.first_1 >= c.first_0
  )
  AND COALESCE(c.first_1, n.as_of_us) >= r.from_us
UNION ALL
SELECT
  11 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.first_1 AS end_us,
  COALESCE(c.first_1, n.as_of_us) AS stop_us
FROM {{ ref('touch_cases') }} AS c
CROSS JOIN {{ ref('touch_run') }} AS n
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = 11
WHERE
  c.tp = 2
  AND NOT c.first_0 IS NULL
  AND (
    c.first_1 IS NULL OR c.first_1 >= c.first_0
  )
  AND COALESCE(c.first_1, n.as_of_us) >= r.from_us
UNION ALL
SELECT
  f.item,
  f.case_id,
  f.start_us,
  f.end_us,
  COALESCE(f.end_us, n.as_of_us) AS stop_us
FROM {{ ref('touch_repairs') }} AS f
CROSS JOIN {{ ref('touch_run') }} AS n
JOIN {{ ref('touch_reach') }} AS r
  ON r.item = f.item
WHERE
  f.first_end_us < f.start_us AND COALESCE(f.end_us, n.as_of_us) >= r.from_us
