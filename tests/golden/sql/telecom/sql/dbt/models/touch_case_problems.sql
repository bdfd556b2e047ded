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
  tp = 0 AND first_0 IS NULL AND NOT first_2 IS NULL
UNION ALL
SELECT
  'end_without_start' AS kind,
  4 AS item,
  case_id,
  'end' AS role,
  first_5 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 0 AND first_0 IS NULL AND NOT first_5 IS NULL
UNION ALL
SELECT
  'end_without_start' AS kind,
  5 AS item,
  case_id,
  'end' AS role,
  first_1 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 1 AND first_0 IS NULL AND NOT first_1 IS NULL
UNION ALL
SELECT
  'numerator_without_denominator' AS kind,
  2 AS item,
  case_id,
  'num' AS role,
  first_3 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 0 AND first_4 IS NULL AND NOT first_3 IS NULL
UNION ALL
SELECT
  'numerator_without_denominator' AS kind,
  6 AS item,
  case_id,
  'num' AS role,
  first_2 AS at_us
FROM {{ ref('touch_cases') }} AS c
WHERE
  tp = 1 AND first_3 IS NULL AND NOT first_2 IS NULL
