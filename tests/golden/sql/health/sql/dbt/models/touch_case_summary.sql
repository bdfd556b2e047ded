{{ config(materialized='table') }}

SELECT
  p.item,
  p.period,
  SUM(CASE WHEN d.promise_at >= p.from_us AND d.promise_at < p.to_us THEN 1 ELSE 0 END) AS promise_decided,
  SUM(
    CASE
      WHEN d.promise_at >= p.from_us AND d.promise_at < p.to_us AND d.promise_met = 1
      THEN 1
      ELSE 0
    END
  ) AS promise_good,
  SUM(CASE WHEN d.target_at >= p.from_us AND d.target_at < p.to_us THEN 1 ELSE 0 END) AS target_decided,
  SUM(
    CASE
      WHEN d.target_at >= p.from_us AND d.target_at < p.to_us AND d.target_met = 1
      THEN 1
      ELSE 0
    END
  ) AS target_good,
  SUM(
    CASE
      WHEN d.start_us < p.to_us
      AND (
        d.end_us IS NULL OR d.end_us >= p.to_us
      )
      AND (
        d.promise_late_us IS NULL OR d.promise_late_us >= p.to_us - 1
      )
      THEN 1
      ELSE 0
    END
  ) AS open_cases,
  SUM(
    CASE
      WHEN d.start_us < p.to_us
      AND (
        d.end_us IS NULL OR d.end_us >= p.to_us
      )
      AND d.promise_late_us < p.to_us - 1
      THEN 1
      ELSE 0
    END
  ) AS overdue_cases,
  SUM(CASE WHEN d.end_us >= p.from_us AND d.end_us < p.to_us THEN 1 ELSE 0 END) AS finished
FROM {{ ref('touch_periods') }} AS p
JOIN {{ ref('touch_decisions') }} AS d
  ON d.item = p.item
GROUP BY
  p.item,
  p.period
