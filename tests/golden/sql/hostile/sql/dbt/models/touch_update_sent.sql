{{ config(materialized='table') }}

SELECT
  s.item,
  s.case_id,
  s.start_us,
  s.end_us,
  s.stop_us,
  i.promise_us AS every_us,
  t.at_us,
  LAG(t.at_us) OVER (PARTITION BY s.item, s.case_id ORDER BY t.at_us) AS prev_us
FROM {{ ref('touch_spans') }} AS s
JOIN {{ ref('touch_items') }} AS i
  ON i.item = s.item AND i.kind = 'updates'
LEFT JOIN {{ ref('touch_row_events') }} AS t
  ON t.item = s.item
  AND t.case_id = s.case_id
  AND t.role = 'update'
  AND t.at_us > s.start_us
  AND t.at_us < s.stop_us
