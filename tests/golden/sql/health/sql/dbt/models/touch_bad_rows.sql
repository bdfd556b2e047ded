{{ config(materialized='table') }}

SELECT
  e.src,
  e.src_row,
  e.case_id,
  e.touchpoint,
  e.event,
  e.at_us,
  e.at_text,
  e.value_text,
  CASE WHEN e.at_us IS NULL THEN 1 ELSE 0 END AS unreadable_timestamp,
  CASE WHEN e.at_us < 0 THEN 1 ELSE 0 END AS timestamp_before_1970,
  CASE WHEN e.at_us > n.as_of_us THEN 1 ELSE 0 END AS after_as_of,
  CASE WHEN v.event IS NULL AND k.touchpoint IS NULL THEN 1 ELSE 0 END AS unknown_touchpoint,
  CASE WHEN v.event IS NULL AND NOT k.touchpoint IS NULL THEN 1 ELSE 0 END AS unknown_event,
  CASE
    WHEN NOT c.event IS NULL AND (
      e.case_id IS NULL OR e.case_id = ''
    )
    THEN 1
    ELSE 0
  END AS missing_case,
  CASE WHEN NOT e.value_text IS NULL THEN 1 ELSE 0 END AS unreadable_value
FROM (
  SELECT
    e.src,
    e.src_row,
    e.case_id,
    e.touchpoint,
    e.event,
    e.at_us,
    e.at_text,
    e.value_text
  FROM {{ ref('touch_events') }} AS e
  CROSS JOIN {{ ref('touch_run') }} AS n
  WHERE
    e.at_us IS NULL
    OR e.at_us < 0
    OR e.at_us > n.as_of_us
    OR NOT e.value_text IS NULL
    OR e.case_id IS NULL
    OR e.case_id = ''
  UNION ALL
  SELECT
    e.src,
    e.src_row,
    e.case_id,
    e.touchpoint,
    e.event,
    e.at_us,
    e.at_text,
    e.value_text
  FROM {{ ref('touch_events') }} AS e
  JOIN {{ ref('touch_unknown_names') }} AS u
    ON u.touchpoint = e.touchpoint AND u.event = e.event
  CROSS JOIN {{ ref('touch_run') }} AS n
  WHERE
    NOT (
      e.at_us IS NULL
      OR e.at_us < 0
      OR e.at_us > n.as_of_us
      OR NOT e.value_text IS NULL
      OR e.case_id IS NULL
      OR e.case_id = ''
    )
) AS e
CROSS JOIN {{ ref('touch_run') }} AS n
LEFT JOIN {{ ref('touch_vocabulary') }} AS v
  ON v.touchpoint = e.touchpoint AND v.event = e.event
LEFT JOIN (
  SELECT DISTINCT
    touchpoint
  FROM {{ ref('touch_vocabulary') }}
) AS k
  ON k.touchpoint = e.touchpoint
LEFT JOIN (
  SELECT DISTINCT
    touchpoint,
    event
  FROM {{ ref('touch_roles') }}
  WHERE
    role <> 'count'
) AS c
  ON c.touchpoint = e.touchpoint AND c.event = e.event
WHERE
  e.at_us IS NULL
  OR e.at_us < 0
  OR e.at_us > n.as_of_us
  OR v.event IS NULL
  OR (
    NOT c.event IS NULL AND (
      e.case_id IS NULL OR e.case_id = ''
    )
  )
  OR NOT e.value_text IS NULL
