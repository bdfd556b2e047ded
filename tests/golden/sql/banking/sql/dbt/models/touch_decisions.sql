{{ config(materialized='table') }}

SELECT
  item,
  case_id,
  start_us,
  end_us,
  value_us,
  promise_late_us,
  target_late_us,
  CASE
    WHEN value_us > promise_us
    THEN promise_late_us
    WHEN NOT end_us IS NULL
    THEN end_us
  END AS promise_at,
  CASE WHEN value_us > promise_us THEN 0 ELSE 1 END AS promise_met,
  CASE
    WHEN value_us > target_us
    THEN target_late_us
    WHEN NOT end_us IS NULL
    THEN end_us
  END AS target_at,
  CASE WHEN value_us > target_us THEN 0 ELSE 1 END AS target_met
FROM (
  SELECT
    q.item,
    q.case_id,
    q.start_us,
    q.end_us,
    7200000000 AS promise_us,
    3600000000 AS target_us,
    q.stop_pos - q.start_pos - 0 AS value_us,
    q.start_pos + 7200000000 AS promise_late_us,
    q.start_pos + 3600000000 AS target_late_us
  FROM (
    SELECT
      s.item,
      s.case_id,
      s.start_us,
      s.end_us,
      s.start_us AS start_pos,
      s.stop_us AS stop_pos
    FROM {{ ref('touch_spans') }} AS s
    WHERE
      s.item = 0
  ) AS q
  UNION ALL
  SELECT
    u.item,
    u.case_id,
    u.start_us,
    u.end_us,
    u.every_us AS promise_us,
    u.every_us AS target_us,
    CASE
      WHEN u.first_us IS NULL
      THEN u.stop_us - u.start_us
      WHEN u.inner_us > CASE
        WHEN u.first_us - u.start_us >= u.stop_us - u.last_us
        THEN u.first_us - u.start_us
        ELSE u.stop_us - u.last_us
      END
      THEN u.inner_us
      ELSE CASE
        WHEN u.first_us - u.start_us >= u.stop_us - u.last_us
        THEN u.first_us - u.start_us
        ELSE u.stop_us - u.last_us
      END
    END AS value_us,
    CASE
      WHEN u.first_us IS NULL
      THEN CASE WHEN u.stop_us - u.start_us > u.every_us THEN u.start_us + u.every_us END
      WHEN u.first_us - u.start_us > u.every_us
      THEN u.start_us + u.every_us
      WHEN NOT u.inner_late_us IS NULL
      THEN u.inner_late_us
      WHEN u.stop_us - u.last_us > u.every_us
      THEN u.last_us + u.every_us
    END AS promise_late_us,
    CASE
      WHEN u.first_us IS NULL
      THEN CASE WHEN u.stop_us - u.start_us > u.every_us THEN u.start_us + u.every_us END
      WHEN u.first_us - u.start_us > u.every_us
      THEN u.start_us + u.every_us
      WHEN NOT u.inner_late_us IS NULL
      THEN u.inner_late_us
      WHEN u.stop_us - u.last_us > u.every_us
      THEN u.last_us + u.every_us
    END AS target_late_us
  FROM (
    SELECT
      item,
      case_id,
      MIN(start_us) AS start_us,
      MIN(end_us) AS end_us,
      MIN(stop_us) AS stop_us,
      MIN(every_us) AS every_us,
      MIN(at_us) AS first_us,
      MAX(at_us) AS last_us,
      MAX(at_us - prev_us) AS inner_us,
      MIN(CASE WHEN at_us - prev_us > every_us THEN prev_us + every_us END) AS inner_late_us
    FROM {{ ref('touch_update_sent') }}
    GROUP BY
      item,
      case_id
  ) AS u
) AS c
