{{ config(materialized='table') }}

SELECT
  b.item,
  b.case_id,
  b.at_us AS from_us,
  COALESCE(e.at_us, b.stop_us) AS to_us
FROM (
  SELECT
    item,
    case_id,
    pause,
    at_us,
    stop_us,
    ROW_NUMBER() OVER (PARTITION BY item, case_id, pause ORDER BY at_us NULLS FIRST) AS k
  FROM {{ ref('touch_pause_marks') }}
  WHERE
    is_start = 1 AND (
      prev_start IS NULL OR prev_start = 0
    )
) AS b
LEFT JOIN (
  SELECT
    item,
    case_id,
    pause,
    at_us,
    ROW_NUMBER() OVER (PARTITION BY item, case_id, pause ORDER BY at_us NULLS FIRST) AS k
  FROM {{ ref('touch_pause_marks') }}
  WHERE
    is_start = 0 AND prev_start = 1
) AS e
  ON e.item = b.item AND e.case_id = b.case_id AND e.pause = b.pause AND e.k = b.k
