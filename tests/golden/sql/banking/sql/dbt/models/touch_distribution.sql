{{ config(materialized='table') }}

SELECT
  p.item,
  p.period,
  b.bin,
  COUNT(*) AS cases
FROM (
  SELECT
    d.item,
    d.end_us,
    CASE
      WHEN d.value_us <= 0
      THEN 0
      WHEN CAST(d.value_us AS DOUBLE) * 12 / i.promise_us > 24
      THEN 24
      ELSE CAST(CEIL(CAST(d.value_us AS DOUBLE) * 12 / i.promise_us) AS BIGINT) - 1
    END AS bin
  FROM {{ ref('touch_decisions') }} AS d
  JOIN {{ ref('touch_items') }} AS i
    ON i.item = d.item
  WHERE
    NOT d.end_us IS NULL
) AS b
JOIN {{ ref('touch_periods') }} AS p
  ON p.item = b.item AND b.end_us >= p.from_us AND b.end_us < p.to_us
GROUP BY
  p.item,
  p.period,
  b.bin
