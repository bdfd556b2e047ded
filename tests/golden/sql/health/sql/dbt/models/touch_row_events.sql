{{ config(materialized='table') }}

SELECT
  r.item,
  r.role,
  r.pause,
  e.src,
  e.src_row,
  e.case_id,
  e.at_us,
  e.value,
  e.value_text
FROM {{ ref('touch_events') }} AS e
JOIN {{ ref('touch_roles') }} AS r
  ON r.touchpoint = e.touchpoint AND r.event = e.event
CROSS JOIN {{ ref('touch_run') }} AS n
WHERE
  r.role IN ('answer', 'count', 'update', 'pause_start', 'pause_end')
  AND e.at_us >= 0
  AND e.at_us <= n.as_of_us
  AND (
    r.role = 'count' OR (
      NOT e.case_id IS NULL AND e.case_id <> ''
    )
  )
  AND (
    r.segment IS NULL OR NOT r.role IN ('answer', 'count') OR e.segment = r.segment
  )
