{{ config(materialized='table') }}

SELECT
  item,
  case_id,
  SUM(len) AS paused,
  SUM(CASE WHEN run_at <= 86400000000 THEN len ELSE 0 END) AS promise_paused,
  SUM(CASE WHEN run_at <= 86400000000 THEN len ELSE 0 END) AS target_paused
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
      a.before_us + CASE WHEN a.is_open THEN x.from_us - a.from_us ELSE 0 END AS at_pos,
      (
        b.before_us + CASE WHEN b.is_open THEN x.to_us - b.from_us ELSE 0 END
      ) - (
        a.before_us + CASE WHEN a.is_open THEN x.from_us - a.from_us ELSE 0 END
      ) AS len,
      c.before_us + CASE WHEN c.is_open THEN s.start_us - c.from_us ELSE 0 END AS start_pos
    FROM {{ ref('touch_pauses') }} AS x
    JOIN {{ ref('touch_spans') }} AS s
      ON s.item = x.item AND s.case_id = x.case_id
    JOIN {{ source('touchdsl', 'touch_calendar') }} AS a
      ON a.calendar = 'office'
      AND a.utc_day = CAST(FLOOR((
        x.from_us
      ) / 86400000000) AS BIGINT)
      AND a.from_us <= x.from_us
      AND x.from_us < a.to_us
    JOIN {{ source('touchdsl', 'touch_calendar') }} AS b
      ON b.calendar = 'office'
      AND b.utc_day = CAST(FLOOR((
        x.to_us
      ) / 86400000000) AS BIGINT)
      AND b.from_us <= x.to_us
      AND x.to_us < b.to_us
    JOIN {{ source('touchdsl', 'touch_calendar') }} AS c
      ON c.calendar = 'office'
      AND c.utc_day = CAST(FLOOR((
        s.start_us
      ) / 86400000000) AS BIGINT)
      AND c.from_us <= s.start_us
      AND s.start_us < c.to_us
    WHERE
      x.item = 1
  ) AS stretch
) AS running
GROUP BY
  item,
  case_id
UNION ALL
SELECT
  item,
  case_id,
  SUM(len) AS paused,
  SUM(CASE WHEN run_at <= 172800000000 THEN len ELSE 0 END) AS promise_paused,
  SUM(CASE WHEN run_at <= 129600000000 THEN len ELSE 0 END) AS target_paused
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
      a.before_us + CASE WHEN a.is_open THEN x.from_us - a.from_us ELSE 0 END AS at_pos,
      (
        b.before_us + CASE WHEN b.is_open THEN x.to_us - b.from_us ELSE 0 END
      ) - (
        a.before_us + CASE WHEN a.is_open THEN x.from_us - a.from_us ELSE 0 END
      ) AS len,
      c.before_us + CASE WHEN c.is_open THEN s.start_us - c.from_us ELSE 0 END AS start_pos
    FROM {{ ref('touch_pauses') }} AS x
    JOIN {{ ref('touch_spans') }} AS s
      ON s.item = x.item AND s.case_id = x.case_id
    JOIN {{ source('touchdsl', 'touch_calendar') }} AS a
      ON a.calendar = 'office'
      AND a.utc_day = CAST(FLOOR((
        x.from_us
      ) / 86400000000) AS BIGINT)
      AND a.from_us <= x.from_us
      AND x.from_us < a.to_us
    JOIN {{ source('touchdsl', 'touch_calendar') }} AS b
      ON b.calendar = 'office'
      AND b.utc_day = CAST(FLOOR((
        x.to_us
      ) / 86400000000) AS BIGINT)
      AND b.from_us <= x.to_us
      AND x.to_us < b.to_us
    JOIN {{ source('touchdsl', 'touch_calendar') }} AS c
      ON c.calendar = 'office'
      AND c.utc_day = CAST(FLOOR((
        s.start_us
      ) / 86400000000) AS BIGINT)
      AND c.from_us <= s.start_us
      AND s.start_us < c.to_us
    WHERE
      x.item = 2
  ) AS stretch
) AS running
GROUP BY
  item,
  case_id
