{{ config(materialized='table') }}

SELECT
  p.item,
  p.period,
  CAST(FLOOR((
    p.to_us - 1 - t.at_us
  ) / i.per_us) AS BIGINT) AS stretch,
  COUNT(*) AS events
FROM {{ ref('touch_periods') }} AS p
JOIN {{ ref('touch_items') }} AS i
  ON i.item = p.item
JOIN {{ ref('touch_row_events') }} AS t
  ON t.item = p.item AND t.role = 'count' AND t.at_us >= p.from_us AND t.at_us < p.to_us
GROUP BY
  p.item,
  p.period,
  CAST(FLOOR((
    p.to_us - 1 - t.at_us
  ) / i.per_us) AS BIGINT)
