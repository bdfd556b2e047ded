{{ config(materialized='table') }}

SELECT
  t.item,
  t.src,
  t.src_row,
  t.case_id,
  t.at_us,
  t.value,
  t.value_text,
  CASE
    WHEN NOT t.value IS NULL
    AND t.value >= i.low
    AND t.value <= i.high
    AND (
      NOT i.whole OR t.value = FLOOR(t.value)
    )
    THEN 1
    ELSE 0
  END AS valid,
  i.promise_least,
  i.target_least
FROM {{ ref('touch_row_events') }} AS t
JOIN {{ ref('touch_items') }} AS i
  ON i.item = t.item
WHERE
  t.role = 'answer'
