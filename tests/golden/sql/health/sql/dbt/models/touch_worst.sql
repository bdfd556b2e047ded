{{ config(materialized='table') }}

SELECT
  item,
  period,
  case_id,
  value,
  at_us,
  still_open,
  rn
FROM (
  SELECT
    p.item,
    p.period,
    d.case_id,
    CAST(d.value_us AS DOUBLE) / 1000000 AS value,
    d.promise_at AS at_us,
    CASE WHEN d.end_us IS NULL THEN 1 ELSE 0 END AS still_open,
    ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY d.value_us DESC, d.case_id) AS rn
  FROM {{ ref('touch_periods') }} AS p
  JOIN {{ ref('touch_decisions') }} AS d
    ON d.item = p.item AND d.promise_at >= p.from_us AND d.promise_at < p.to_us
  JOIN (
    SELECT
      item,
      period,
      MIN(bound) AS bound
    FROM (
      SELECT
        p.item,
        p.period,
        d.value_us AS bound,
        ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY d.value_us DESC) AS rn
      FROM {{ ref('touch_periods') }} AS p
      JOIN {{ ref('touch_decisions') }} AS d
        ON d.item = p.item AND d.promise_at >= p.from_us AND d.promise_at < p.to_us
    ) AS top
    WHERE
      rn <= 5
    GROUP BY
      item,
      period
  ) AS b
    ON b.item = p.item AND b.period = p.period AND d.value_us >= b.bound
  UNION ALL
  SELECT
    p.item,
    p.period,
    a.case_id,
    a.value,
    a.at_us,
    0 AS still_open,
    ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY a.value ASC, a.at_us DESC, a.case_id) AS rn
  FROM {{ ref('touch_periods') }} AS p
  JOIN {{ ref('touch_answers') }} AS a
    ON a.item = p.item AND a.valid = 1 AND a.at_us >= p.from_us AND a.at_us < p.to_us
  JOIN (
    SELECT
      item,
      period,
      MAX(bound) AS bound
    FROM (
      SELECT
        p.item,
        p.period,
        a.value AS bound,
        ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY a.value ASC) AS rn
      FROM {{ ref('touch_periods') }} AS p
      JOIN {{ ref('touch_answers') }} AS a
        ON a.item = p.item AND a.valid = 1 AND a.at_us >= p.from_us AND a.at_us < p.to_us
    ) AS top
    WHERE
      rn <= 5
    GROUP BY
      item,
      period
  ) AS b
    ON b.item = p.item AND b.period = p.period AND a.value <= b.bound
  UNION ALL
  SELECT
    p.item,
    p.period,
    c.case_id,
    CAST(NULL AS DOUBLE) AS value,
    COALESCE(c.den_at, c.num_at) AS at_us,
    0 AS still_open,
    ROW_NUMBER() OVER (
      PARTITION BY p.item, p.period
      ORDER BY COALESCE(c.den_at, c.num_at) DESC, c.case_id
    ) AS rn
  FROM {{ ref('touch_periods') }} AS p
  JOIN {{ ref('touch_items') }} AS i
    ON i.item = p.item
  JOIN {{ ref('touch_ratio_cases') }} AS c
    ON c.item = p.item
    AND COALESCE(c.den_at, c.num_at) >= p.from_us
    AND COALESCE(c.den_at, c.num_at) < p.to_us
    AND (
      NOT c.num_at IS NULL
    ) = i.bad_is_num
  JOIN (
    SELECT
      item,
      period,
      MIN(bound) AS bound
    FROM (
      SELECT
        p.item,
        p.period,
        COALESCE(c.den_at, c.num_at) AS bound,
        ROW_NUMBER() OVER (PARTITION BY p.item, p.period ORDER BY COALESCE(c.den_at, c.num_at) DESC) AS rn
      FROM {{ ref('touch_periods') }} AS p
      JOIN {{ ref('touch_items') }} AS i
        ON i.item = p.item
      JOIN {{ ref('touch_ratio_cases') }} AS c
        ON c.item = p.item
        AND COALESCE(c.den_at, c.num_at) >= p.from_us
        AND COALESCE(c.den_at, c.num_at) < p.to_us
        AND (
          NOT c.num_at IS NULL
        ) = i.bad_is_num
    ) AS top
    WHERE
      rn <= 5
    GROUP BY
      item,
      period
  ) AS b
    ON b.item = p.item
    AND b.period = p.period
    AND COALESCE(c.den_at, c.num_at) >= b.bound
) AS ranked
WHERE
  rn <= 5
