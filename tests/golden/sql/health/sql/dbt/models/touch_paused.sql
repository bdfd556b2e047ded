{{ config(materialized='table') }}

SELECT
  item,
  case_id,
  SUM(len) AS paused,
  SUM(CASE WHEN run_at <= 14000000 THEN len ELSE 0 END) AS promise_paused,
  SUM(CASE WHEN run_at <= 10000000 THEN len ELSE 0 END) AS target_paused
FROM (
  SELECT
    item,
    case_id,
    len,
    at_pos - start_pos - (
      SUM(len) OVER (
        PARTITION BY item, case_id
        ORDER BY at_pos NULLS FIRST
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) - len
    ) AS run_at
  FROM (
    SELECT
      x.item,
      x.case_id,
      (
        a.closings_before + CASE WHEN x.from_us > a.from_us THEN a.closing_at ELSE 0 END
      ) * 1000000 AS at_pos,
      (
        (
          b.closings_before + CASE WHEN x.to_us > b.from_us THEN b.closing_at ELSE 0 END
        ) * 1000000
      ) - (
        (
          a.closings_before + CASE WHEN x.from_us > a.from_us THEN a.closing_at ELSE 0 END
        ) * 1000000
      ) AS len,
      (
        c.closings_before + CASE WHEN s.start_us > c.from_us THEN c.closing_at ELSE 0 END
      ) * 1000000 AS start_pos
    FROM {{ ref('touch_pauses') }} AS x
    JOIN {{ ref('touch_spans') }} AS s
      ON s.item = x.item AND s.case_id = x.case_id
    JOIN {{ source('touchdsl', 'touch_calendar') }} AS a
      ON a.calendar = 'clinic_hours'
      AND a.utc_day = CAST(FLOOR((
        x.from_us
      ) / 86400000000) AS BIGINT)
      AND a.from_us <= x.from_us
      AND x.from_us < a.to_us
    JOIN {{ source('touchdsl', 'touch_calendar') }} AS b
      ON b.calendar = 'clinic_hours'
      AND b.utc_day = CAST(FLOOR((
        x.to_us
      ) / 86400000000) AS BIGINT)
      AND b.from_us <= x.to_us
      AND x.to_us < b.to_us
    JOIN {{ source('touchdsl', 'touch_calendar') }} AS c
      ON c.calendar = 'clinic_hours'
      AND c.utc_day = CAST(FLOOR((
        s.start_us
      ) / 86400000000) AS BIGINT)
      AND c.from_us <= s.start_us
      AND s.start_us < c.to_us
    WHERE
      x.item = 8
  ) AS stretch
) AS running
GROUP BY
  item,
  case_id
