{{ config(materialized='table') }}

SELECT
  p.item,
  p.period,
  COUNT(*) AS answers,
  SUM(a.value) AS total,
  SUM(CASE WHEN a.value >= a.promise_least THEN 1 ELSE 0 END) AS promise_good,
  SUM(CASE WHEN a.value >= a.target_least THEN 1 ELSE 0 END) AS target_good,
  SUM(CASE WHEN a.value >= 9 THEN 1 ELSE 0 END) AS promoters,
  SUM(CASE WHEN a.value <= 6 THEN 1 ELSE 0 END) AS detractors
FROM {{ ref('touch_periods') }} AS p
JOIN {{ ref('touch_answers') }} AS a
  ON a.item = p.item AND a.valid = 1 AND a.at_us >= p.from_us AND a.at_us < p.to_us
GROUP BY
  p.item,
  p.period
