{{ config(materialized='table') }}

SELECT
  0 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.count_0 AS starts,
  c.first_1 AS first_end_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  c.tp = 0 AND (
    c.count_0 > 1 OR c.first_1 < c.first_0
  )
UNION ALL
SELECT
  1 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.count_0 AS starts,
  c.first_2 AS first_end_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  c.tp = 0
  AND (
    c.count_0 > 1 OR c.first_2 < c.first_0
  )
  AND c.seg_lo = 'urgent'
  AND c.seg_hi = 'urgent'
UNION ALL
SELECT
  2 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.count_0 AS starts,
  c.first_2 AS first_end_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  c.tp = 0
  AND (
    c.count_0 > 1 OR c.first_2 < c.first_0
  )
  AND c.seg_lo = 'usual'
  AND c.seg_hi = 'usual'
UNION ALL
SELECT
  5 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.count_0 AS starts,
  c.first_2 AS first_end_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  c.tp = 0 AND (
    c.count_0 > 1 OR c.first_2 < c.first_0
  )
UNION ALL
SELECT
  6 AS item,
  c.case_id,
  c.first_0 AS start_us,
  c.count_0 AS starts,
  c.first_2 AS first_end_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  c.tp = 0 AND (
    c.count_0 > 1 OR c.first_2 < c.first_0
  )
