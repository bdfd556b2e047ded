{{ config(materialized='table') }}

SELECT
  item,
  period,
  role,
  MIN(CASE WHEN upto >= rnk THEN value_us END) AS reach_us,
  MIN(CASE WHEN upto >= rnk THEN open_upto END) AS open_upto
FROM (
  SELECT
    item,
    period,
    role,
    value_us,
    cases,
    open_cases,
    upto,
    open_upto,
    n,
    CASE v.item WHEN 0 THEN CAST(CEIL(CAST(v.n * 99 AS DOUBLE) / 100) AS BIGINT) END AS rnk
  FROM (
    SELECT
      item,
      period,
      role,
      value_us,
      cases,
      open_cases,
      SUM(cases) OVER (
        PARTITION BY item, period
        ORDER BY value_us NULLS FIRST
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS upto,
      SUM(open_cases) OVER (
        PARTITION BY item, period
        ORDER BY value_us NULLS FIRST
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS open_upto,
      SUM(cases) OVER (PARTITION BY item, period) AS n
    FROM (
      SELECT
        p.item,
        p.period,
        'promise' AS role,
        d.value_us,
        COUNT(*) AS cases,
        SUM(CASE WHEN d.end_us IS NULL THEN 1 ELSE 0 END) AS open_cases
      FROM {{ ref('touch_periods') }} AS p
      JOIN {{ ref('touch_decisions') }} AS d
        ON d.item = p.item AND d.promise_at >= p.from_us AND d.promise_at < p.to_us
      WHERE
        p.item IN (0)
      GROUP BY
        p.item,
        p.period,
        d.value_us
    ) AS w
  ) AS v
  UNION ALL
  SELECT
    item,
    period,
    role,
    value_us,
    cases,
    open_cases,
    upto,
    open_upto,
    n,
    CASE v.item WHEN 0 THEN CAST(CEIL(CAST(v.n * 199 AS DOUBLE) / 200) AS BIGINT) END AS rnk
  FROM (
    SELECT
      item,
      period,
      role,
      value_us,
      cases,
      open_cases,
      SUM(cases) OVER (
        PARTITION BY item, period
        ORDER BY value_us NULLS FIRST
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS upto,
      SUM(open_cases) OVER (
        PARTITION BY item, period
        ORDER BY value_us NULLS FIRST
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS open_upto,
      SUM(cases) OVER (PARTITION BY item, period) AS n
    FROM (
      SELECT
        p.item,
        p.period,
        'target' AS role,
        d.value_us,
        COUNT(*) AS cases,
        SUM(CASE WHEN d.end_us IS NULL THEN 1 ELSE 0 END) AS open_cases
      FROM {{ ref('touch_periods') }} AS p
      JOIN {{ ref('touch_decisions') }} AS d
        ON d.item = p.item AND d.target_at >= p.from_us AND d.target_at < p.to_us
      WHERE
        p.item IN (0)
      GROUP BY
        p.item,
        p.period,
        d.value_us
    ) AS w
  ) AS v
) AS ranked
GROUP BY
  item,
  period,
  role
