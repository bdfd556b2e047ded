{{ config(materialized='table') }}

SELECT
  'unreadable_timestamp' AS kind,
  CAST(NULL AS INT) AS item,
  src,
  src_row,
  case_id,
  touchpoint,
  event,
  at_us,
  at_text,
  value_text
FROM {{ ref('touch_bad_rows') }}
WHERE
  unreadable_timestamp = 1
UNION ALL
SELECT
  'timestamp_before_1970' AS kind,
  CAST(NULL AS INT) AS item,
  src,
  src_row,
  case_id,
  touchpoint,
  event,
  at_us,
  at_text,
  value_text
FROM {{ ref('touch_bad_rows') }}
WHERE
  timestamp_before_1970 = 1
UNION ALL
SELECT
  'after_as_of' AS kind,
  CAST(NULL AS INT) AS item,
  src,
  src_row,
  case_id,
  touchpoint,
  event,
  at_us,
  at_text,
  value_text
FROM {{ ref('touch_bad_rows') }}
WHERE
  after_as_of = 1
UNION ALL
SELECT
  'unknown_touchpoint' AS kind,
  CAST(NULL AS INT) AS item,
  src,
  src_row,
  case_id,
  touchpoint,
  event,
  at_us,
  at_text,
  value_text
FROM {{ ref('touch_bad_rows') }}
WHERE
  unknown_touchpoint = 1
UNION ALL
SELECT
  'unknown_event' AS kind,
  CAST(NULL AS INT) AS item,
  src,
  src_row,
  case_id,
  touchpoint,
  event,
  at_us,
  at_text,
  value_text
FROM {{ ref('touch_bad_rows') }}
WHERE
  unknown_event = 1
UNION ALL
SELECT
  'missing_case' AS kind,
  CAST(NULL AS INT) AS item,
  src,
  src_row,
  case_id,
  touchpoint,
  event,
  at_us,
  at_text,
  value_text
FROM {{ ref('touch_bad_rows') }}
WHERE
  missing_case = 1
UNION ALL
SELECT
  'unreadable_value' AS kind,
  CAST(NULL AS INT) AS item,
  src,
  src_row,
  case_id,
  touchpoint,
  event,
  at_us,
  at_text,
  value_text
FROM {{ ref('touch_bad_rows') }}
WHERE
  unreadable_value = 1
UNION ALL
SELECT
  'answer_outside_scale' AS kind,
  a.item,
  a.src,
  a.src_row,
  a.case_id,
  r.touchpoint,
  r.event,
  a.at_us,
  CAST(NULL AS TEXT) AS at_text,
  COALESCE(a.value_text, CAST(a.value AS TEXT)) AS value_text
FROM {{ ref('touch_answers') }} AS a
JOIN {{ ref('touch_roles') }} AS r
  ON r.item = a.item AND r.role = 'answer'
WHERE
  a.valid = 0
UNION ALL
SELECT
  kind,
  item,
  src,
  src_row,
  case_id,
  touchpoint,
  event,
  at_us,
  at_text,
  value_text
FROM (
  SELECT
    c.kind,
    c.item,
    e.src,
    e.src_row,
    c.case_id,
    r.touchpoint,
    r.event,
    c.at_us,
    CAST(NULL AS TEXT) AS at_text,
    CAST(NULL AS TEXT) AS value_text,
    ROW_NUMBER() OVER (PARTITION BY c.kind, c.item, c.case_id ORDER BY e.src, e.src_row) AS rn
  FROM {{ ref('touch_case_problems') }} AS c
  JOIN {{ ref('touch_roles') }} AS r
    ON r.item = c.item AND r.role = c.role
  JOIN {{ ref('touch_events') }} AS e
    ON e.touchpoint = r.touchpoint
    AND e.event = r.event
    AND e.case_id = c.case_id
    AND e.at_us = c.at_us
) AS firsts
WHERE
  rn = 1
