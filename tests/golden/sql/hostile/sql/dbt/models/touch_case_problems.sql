{{ config(materialized='table') }}

SELECT
  'duplicate_start' AS kind,
  item,
  case_id,
  'start' AS role,
  last_start_us AS at_us
FROM {{ ref('touch_repairs') }}
WHERE
  starts > 1
UNION ALL
SELECT
  'end_before_start' AS kind,
  item,
  case_id,
  'end' AS role,
  first_end_us AS at_us
FROM {{ ref('touch_repairs') }}
WHERE
  first_end_us < start_us
UNION ALL
SELECT
  'end_without_start' AS kind,
  0 AS item,
  case_id,
  'end' AS role,
  first_1 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 0 AND first_0 IS NULL AND NOT first_1 IS NULL
UNION ALL
SELECT
  'end_without_start' AS kind,
  1 AS item,
  case_id,
  'end' AS role,
  first_2 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 0
  AND first_0 IS NULL
  AND NOT first_2 IS NULL
  AND c.seg_lo = 'urgent'
  AND c.seg_hi = 'urgent'
UNION ALL
SELECT
  'end_without_start' AS kind,
  2 AS item,
  case_id,
  'end' AS role,
  first_2 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 0
  AND first_0 IS NULL
  AND NOT first_2 IS NULL
  AND c.seg_lo = 'usual'
  AND c.seg_hi = 'usual'
UNION ALL
SELECT
  'end_without_start' AS kind,
  5 AS item,
  case_id,
  'end' AS role,
  first_2 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 0 AND first_0 IS NULL AND NOT first_2 IS NULL
UNION ALL
SELECT
  'end_without_start' AS kind,
  6 AS item,
  case_id,
  'end' AS role,
  first_2 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 0 AND first_0 IS NULL AND NOT first_2 IS NULL
UNION ALL
SELECT
  'numerator_without_denominator' AS kind,
  3 AS item,
  case_id,
  'num' AS role,
  first_3 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 0 AND first_4 IS NULL AND NOT first_3 IS NULL
UNION ALL
SELECT
  'numerator_without_denominator' AS kind,
  4 AS item,
  case_id,
  'num' AS role,
  first_5 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 0 AND first_6 IS NULL AND NOT first_5 IS NULL
UNION ALL
SELECT
  CASE
    WHEN seg_lo IS NULL
    THEN 'missing_segment'
    WHEN seg_lo <> seg_hi
    THEN 'conflicting_segment'
    ELSE 'unknown_segment'
  END AS kind,
  1 AS item,
  case_id,
  'start' AS role,
  first_0 AS at_us
FROM {{ ref('touch_cases') }}
WHERE
  tp = 0
  AND NOT first_0 IS NULL
  AND (
    seg_lo IS NULL OR seg_lo <> seg_hi OR NOT seg_lo IN ('urgent', 'usual')
  )
