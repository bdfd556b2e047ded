{{ config(materialized='table') }}

SELECT
  p.item,
  p.period,
  COUNT(*) AS cases,
  SUM(CASE WHEN NOT c.num_at IS NULL THEN 1 ELSE 0 END) AS matching
FROM {{ ref('touch_periods') }} AS p
JOIN {{ ref('touch_ratio_cases') }} AS c
  ON c.item = p.item
  AND COALESCE(c.den_at, c.num_at) >= p.from_us
  AND COALESCE(c.den_at, c.num_at) < p.to_us
GROUP BY
  p.item,
  p.period
