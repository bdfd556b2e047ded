{{ config(materialized='table') }}

SELECT
  c.item,
  c.period,
  MIN(
    CASE
      WHEN c.upto >= CAST(CEIL(CAST(50 * s.finished AS DOUBLE) / 100) AS BIGINT)
      THEN c.value_us
    END
  ) AS p50_us,
  MIN(
    CASE
      WHEN c.upto >= CAST(CEIL(CAST(90 * s.finished AS DOUBLE) / 100) AS BIGINT)
      THEN c.value_us
    END
  ) AS p90_us,
  MIN(
    CASE
      WHEN c.upto >= CAST(CEIL(CAST(95 * s.finished AS DOUBLE) / 100) AS BIGINT)
      THEN c.value_us
    END
  ) AS p95_us
FROM (
  SELECT
    item,
    period,
    value_us,
    SUM(cases) OVER (
      PARTITION BY item, period
      ORDER BY value_us NULLS FIRST
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS upto
  FROM (
    SELECT
      p.item,
      p.period,
      d.value_us,
      COUNT(*) AS cases
    FROM {{ ref('touch_periods') }} AS p
    JOIN {{ ref('touch_decisions') }} AS d
      ON d.item = p.item AND d.end_us >= p.from_us AND d.end_us < p.to_us
    GROUP BY
      p.item,
      p.period,
      d.value_us
  ) AS v
) AS c
JOIN {{ ref('touch_case_summary') }} AS s
  ON s.item = c.item AND s.period = c.period
GROUP BY
  c.item,
  c.period
