{{ config(materialized='table') }}

SELECT
  r.item,
  r.case_id,
  r.start_us,
  r.starts,
  r.first_end_us,
  MAX(CASE WHEN x.role = 'start' THEN e.at_us END) AS last_start_us,
  MIN(CASE WHEN x.role = 'end' AND e.at_us >= r.start_us THEN e.at_us END) AS end_us
FROM {{ ref('touch_repair_cases') }} AS r
JOIN {{ ref('touch_roles') }} AS x
  ON x.item = r.item AND x.role IN ('start', 'end')
JOIN {{ ref('touch_events') }} AS e
  ON e.touchpoint = x.touchpoint AND e.event = x.event AND e.case_id = r.case_id
CROSS JOIN {{ ref('touch_run') }} AS n
WHERE
  e.at_us >= 0 AND e.at_us <= n.as_of_us
GROUP BY
  r.item,
  r.case_id,
  r.start_us,
  r.starts,
  r.first_end_us
