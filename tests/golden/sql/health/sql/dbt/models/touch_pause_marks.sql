{{ config(materialized='table') }}

SELECT
  s.item,
  s.case_id,
  t.pause,
  t.at_us,
  s.stop_us,
  CASE WHEN t.role = 'pause_start' THEN 1 ELSE 0 END AS is_start,
  LAG(CASE WHEN t.role = 'pause_start' THEN 1 ELSE 0 END) OVER (
    PARTITION BY s.item, s.case_id, t.pause
    ORDER BY t.at_us NULLS FIRST, CASE WHEN t.role = 'pause_start' THEN 1 ELSE 0 END NULLS FIRST
  ) AS prev_start
FROM {{ ref('touch_spans') }} AS s
JOIN {{ ref('touch_row_events') }} AS t
  ON t.item = s.item
  AND t.case_id = s.case_id
  AND t.role IN ('pause_start', 'pause_end')
WHERE
  t.at_us >= s.start_us AND t.at_us <= s.stop_us
