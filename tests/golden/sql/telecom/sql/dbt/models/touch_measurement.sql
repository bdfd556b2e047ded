{{ config(materialized='table') }}

SELECT
  p.item,
  'technical_fault' AS touchpoint,
  'answer' AS metric,
  CAST(NULL AS TEXT) AS segment,
  'time' AS kind,
  'field_ops' AS owner,
  'home_internet' AS journey,
  CAST(NULL AS TEXT) AS calendar,
  'seconds' AS unit,
  TRUE AS published,
  p.period,
  p.from_us AS period_from_us,
  p.to_us AS period_to_us,
  MAKE_TIMESTAMP(p.from_us) AS period_start,
  MAKE_TIMESTAMP(p.to_us) AS period_end,
  CASE
    WHEN COALESCE(c.promise_decided, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(c.promise_good, 0) * 1 >= 80 * COALESCE(c.promise_decided, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS promise_status,
  CASE
    WHEN COALESCE(c.promise_decided, 0) > 0
    THEN 100 * CAST(COALESCE(c.promise_good, 0) AS DOUBLE) / COALESCE(c.promise_decided, 0)
  END AS promise_value,
  COALESCE(c.promise_decided, 0) AS promise_decided,
  COALESCE(c.promise_good, 0) AS promise_good,
  CASE
    WHEN COALESCE(c.target_decided, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(c.target_good, 0) * 1 >= 90 * COALESCE(c.target_decided, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS target_status,
  CASE
    WHEN COALESCE(c.target_decided, 0) > 0
    THEN 100 * CAST(COALESCE(c.target_good, 0) AS DOUBLE) / COALESCE(c.target_decided, 0)
  END AS target_value,
  COALESCE(c.target_decided, 0) AS target_decided,
  COALESCE(c.target_good, 0) AS target_good,
  c.open_cases,
  c.overdue_cases,
  c.finished,
  CAST(q.p50_us AS DOUBLE) / 1000000 AS p50_seconds,
  CAST(q.p90_us AS DOUBLE) / 1000000 AS p90_seconds,
  CAST(q.p95_us AS DOUBLE) / 1000000 AS p95_seconds,
  a.answers,
  a.promoters,
  a.detractors,
  k.total AS events,
  k.worst AS worst_stretch_events,
  CAST(0 AS BIGINT) AS outside_calendar
FROM {{ ref('touch_periods') }} AS p
LEFT JOIN {{ ref('touch_case_summary') }} AS c
  ON c.item = p.item AND c.period = p.period
LEFT JOIN {{ ref('touch_percentiles') }} AS q
  ON q.item = p.item AND q.period = p.period
LEFT JOIN {{ ref('touch_ratio_summary') }} AS r
  ON r.item = p.item AND r.period = p.period
LEFT JOIN {{ ref('touch_answer_summary') }} AS a
  ON a.item = p.item AND a.period = p.period
LEFT JOIN {{ ref('touch_count_summary') }} AS k
  ON k.item = p.item AND k.period = p.period
LEFT JOIN {{ ref('touch_outside_calendar') }} AS u
  ON u.item = p.item
WHERE
  p.item = 0
UNION ALL
SELECT
  p.item,
  'technical_fault' AS touchpoint,
  'arrival' AS metric,
  CAST(NULL AS TEXT) AS segment,
  'time' AS kind,
  'field_ops' AS owner,
  'home_internet' AS journey,
  'il_office' AS calendar,
  'seconds' AS unit,
  TRUE AS published,
  p.period,
  p.from_us AS period_from_us,
  p.to_us AS period_to_us,
  MAKE_TIMESTAMP(p.from_us) AS period_start,
  MAKE_TIMESTAMP(p.to_us) AS period_end,
  CASE
    WHEN COALESCE(c.promise_decided, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(c.promise_good, 0) * 1 >= 95 * COALESCE(c.promise_decided, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS promise_status,
  CASE
    WHEN COALESCE(c.promise_decided, 0) > 0
    THEN 100 * CAST(COALESCE(c.promise_good, 0) AS DOUBLE) / COALESCE(c.promise_decided, 0)
  END AS promise_value,
  COALESCE(c.promise_decided, 0) AS promise_decided,
  COALESCE(c.promise_good, 0) AS promise_good,
  CASE
    WHEN COALESCE(c.target_decided, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(c.target_good, 0) * 1 >= 98 * COALESCE(c.target_decided, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS target_status,
  CASE
    WHEN COALESCE(c.target_decided, 0) > 0
    THEN 100 * CAST(COALESCE(c.target_good, 0) AS DOUBLE) / COALESCE(c.target_decided, 0)
  END AS target_value,
  COALESCE(c.target_decided, 0) AS target_decided,
  COALESCE(c.target_good, 0) AS target_good,
  c.open_cases,
  c.overdue_cases,
  c.finished,
  CAST(q.p50_us AS DOUBLE) / 1000000 AS p50_seconds,
  CAST(q.p90_us AS DOUBLE) / 1000000 AS p90_seconds,
  CAST(q.p95_us AS DOUBLE) / 1000000 AS p95_seconds,
  a.answers,
  a.promoters,
  a.detractors,
  k.total AS events,
  k.worst AS worst_stretch_events,
  COALESCE(u.outside_calendar, 0) AS outside_calendar
FROM {{ ref('touch_periods') }} AS p
LEFT JOIN {{ ref('touch_case_summary') }} AS c
  ON c.item = p.item AND c.period = p.period
LEFT JOIN {{ ref('touch_percentiles') }} AS q
  ON q.item = p.item AND q.period = p.period
LEFT JOIN {{ ref('touch_ratio_summary') }} AS r
  ON r.item = p.item AND r.period = p.period
LEFT JOIN {{ ref('touch_answer_summary') }} AS a
  ON a.item = p.item AND a.period = p.period
LEFT JOIN {{ ref('touch_count_summary') }} AS k
  ON k.item = p.item AND k.period = p.period
LEFT JOIN {{ ref('touch_outside_calendar') }} AS u
  ON u.item = p.item
WHERE
  p.item = 1
UNION ALL
SELECT
  p.item,
  'technical_fault' AS touchpoint,
  'abandoned' AS metric,
  CAST(NULL AS TEXT) AS segment,
  'ratio' AS kind,
  'field_ops' AS owner,
  'home_internet' AS journey,
  CAST(NULL AS TEXT) AS calendar,
  CAST(NULL AS TEXT) AS unit,
  TRUE AS published,
  p.period,
  p.from_us AS period_from_us,
  p.to_us AS period_to_us,
  MAKE_TIMESTAMP(p.from_us) AS period_start,
  MAKE_TIMESTAMP(p.to_us) AS period_end,
  CASE
    WHEN COALESCE(r.cases, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(r.matching, 0) * 1 <= 5 * COALESCE(r.cases, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS promise_status,
  CASE
    WHEN COALESCE(r.cases, 0) > 0
    THEN 100 * CAST(COALESCE(r.matching, 0) AS DOUBLE) / COALESCE(r.cases, 0)
  END AS promise_value,
  COALESCE(r.cases, 0) AS promise_decided,
  COALESCE(r.matching, 0) AS promise_good,
  CASE
    WHEN COALESCE(r.cases, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(r.matching, 0) * 1 <= 3 * COALESCE(r.cases, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS target_status,
  CASE
    WHEN COALESCE(r.cases, 0) > 0
    THEN 100 * CAST(COALESCE(r.matching, 0) AS DOUBLE) / COALESCE(r.cases, 0)
  END AS target_value,
  COALESCE(r.cases, 0) AS target_decided,
  COALESCE(r.matching, 0) AS target_good,
  c.open_cases,
  c.overdue_cases,
  c.finished,
  CAST(q.p50_us AS DOUBLE) / 1000000 AS p50_seconds,
  CAST(q.p90_us AS DOUBLE) / 1000000 AS p90_seconds,
  CAST(q.p95_us AS DOUBLE) / 1000000 AS p95_seconds,
  a.answers,
  a.promoters,
  a.detractors,
  k.total AS events,
  k.worst AS worst_stretch_events,
  CAST(0 AS BIGINT) AS outside_calendar
FROM {{ ref('touch_periods') }} AS p
LEFT JOIN {{ ref('touch_case_summary') }} AS c
  ON c.item = p.item AND c.period = p.period
LEFT JOIN {{ ref('touch_percentiles') }} AS q
  ON q.item = p.item AND q.period = p.period
LEFT JOIN {{ ref('touch_ratio_summary') }} AS r
  ON r.item = p.item AND r.period = p.period
LEFT JOIN {{ ref('touch_answer_summary') }} AS a
  ON a.item = p.item AND a.period = p.period
LEFT JOIN {{ ref('touch_count_summary') }} AS k
  ON k.item = p.item AND k.period = p.period
LEFT JOIN {{ ref('touch_outside_calendar') }} AS u
  ON u.item = p.item
WHERE
  p.item = 2
UNION ALL
SELECT
  p.item,
  'technical_fault' AS touchpoint,
  'csat' AS metric,
  CAST(NULL AS TEXT) AS segment,
  'score' AS kind,
  'field_ops' AS owner,
  'home_internet' AS journey,
  CAST(NULL AS TEXT) AS calendar,
  CAST(NULL AS TEXT) AS unit,
  TRUE AS published,
  p.period,
  p.from_us AS period_from_us,
  p.to_us AS period_to_us,
  MAKE_TIMESTAMP(p.from_us) AS period_start,
  MAKE_TIMESTAMP(p.to_us) AS period_end,
  CASE
    WHEN COALESCE(a.answers, 0) = 0
    THEN 'no_data'
    WHEN a.total * 10 >= 43 * COALESCE(a.answers, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS promise_status,
  CASE WHEN COALESCE(a.answers, 0) > 0 THEN a.total / COALESCE(a.answers, 0) END AS promise_value,
  COALESCE(a.answers, 0) AS promise_decided,
  CAST(NULL AS BIGINT) AS promise_good,
  CASE
    WHEN COALESCE(a.answers, 0) = 0
    THEN 'no_data'
    WHEN a.total * 10 >= 43 * COALESCE(a.answers, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS target_status,
  CASE WHEN COALESCE(a.answers, 0) > 0 THEN a.total / COALESCE(a.answers, 0) END AS target_value,
  COALESCE(a.answers, 0) AS target_decided,
  CAST(NULL AS BIGINT) AS target_good,
  c.open_cases,
  c.overdue_cases,
  c.finished,
  CAST(q.p50_us AS DOUBLE) / 1000000 AS p50_seconds,
  CAST(q.p90_us AS DOUBLE) / 1000000 AS p90_seconds,
  CAST(q.p95_us AS DOUBLE) / 1000000 AS p95_seconds,
  a.answers,
  a.promoters,
  a.detractors,
  k.total AS events,
  k.worst AS worst_stretch_events,
  CAST(0 AS BIGINT) AS outside_calendar
FROM {{ ref('touch_periods') }} AS p
LEFT JOIN {{ ref('touch_case_summary') }} AS c
  ON c.item = p.item AND c.period = p.period
LEFT JOIN {{ ref('touch_percentiles') }} AS q
  ON q.item = p.item AND q.period = p.period
LEFT JOIN {{ ref('touch_ratio_summary') }} AS r
  ON r.item = p.item AND r.period = p.period
LEFT JOIN {{ ref('touch_answer_summary') }} AS a
  ON a.item = p.item AND a.period = p.period
LEFT JOIN {{ ref('touch_count_summary') }} AS k
  ON k.item = p.item AND k.period = p.period
LEFT JOIN {{ ref('touch_outside_calendar') }} AS u
  ON u.item = p.item
WHERE
  p.item = 3
UNION ALL
SELECT
  p.item,
  'technical_fault' AS touchpoint,
  'updates' AS metric,
  CAST(NULL AS TEXT) AS segment,
  'updates' AS kind,
  'field_ops' AS owner,
  'home_internet' AS journey,
  CAST(NULL AS TEXT) AS calendar,
  'seconds' AS unit,
  TRUE AS published,
  p.period,
  p.from_us AS period_from_us,
  p.to_us AS period_to_us,
  MAKE_TIMESTAMP(p.from_us) AS period_start,
  MAKE_TIMESTAMP(p.to_us) AS period_end,
  CASE
    WHEN COALESCE(c.promise_decided, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(c.promise_good, 0) * 1 >= 100 * COALESCE(c.promise_decided, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS promise_status,
  CASE
    WHEN COALESCE(c.promise_decided, 0) > 0
    THEN 100 * CAST(COALESCE(c.promise_good, 0) AS DOUBLE) / COALESCE(c.promise_decided, 0)
  END AS promise_value,
  COALESCE(c.promise_decided, 0) AS promise_decided,
  COALESCE(c.promise_good, 0) AS promise_good,
  CASE
    WHEN COALESCE(c.target_decided, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(c.target_good, 0) * 1 >= 100 * COALESCE(c.target_decided, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS target_status,
  CASE
    WHEN COALESCE(c.target_decided, 0) > 0
    THEN 100 * CAST(COALESCE(c.target_good, 0) AS DOUBLE) / COALESCE(c.target_decided, 0)
  END AS target_value,
  COALESCE(c.target_decided, 0) AS target_decided,
  COALESCE(c.target_good, 0) AS target_good,
  c.open_cases,
  c.overdue_cases,
  c.finished,
  CAST(q.p50_us AS DOUBLE) / 1000000 AS p50_seconds,
  CAST(q.p90_us AS DOUBLE) / 1000000 AS p90_seconds,
  CAST(q.p95_us AS DOUBLE) / 1000000 AS p95_seconds,
  a.answers,
  a.promoters,
  a.detractors,
  k.total AS events,
  k.worst AS worst_stretch_events,
  CAST(0 AS BIGINT) AS outside_calendar
FROM {{ ref('touch_periods') }} AS p
LEFT JOIN {{ ref('touch_case_summary') }} AS c
  ON c.item = p.item AND c.period = p.period
LEFT JOIN {{ ref('touch_percentiles') }} AS q
  ON q.item = p.item AND q.period = p.period
LEFT JOIN {{ ref('touch_ratio_summary') }} AS r
  ON r.item = p.item AND r.period = p.period
LEFT JOIN {{ ref('touch_answer_summary') }} AS a
  ON a.item = p.item AND a.period = p.period
LEFT JOIN {{ ref('touch_count_summary') }} AS k
  ON k.item = p.item AND k.period = p.period
LEFT JOIN {{ ref('touch_outside_calendar') }} AS u
  ON u.item = p.item
WHERE
  p.item = 4
UNION ALL
SELECT
  p.item,
  'address_change' AS touchpoint,
  'done' AS metric,
  CAST(NULL AS TEXT) AS segment,
  'time' AS kind,
  'billing' AS owner,
  'home_internet' AS journey,
  'il_office' AS calendar,
  'business_days' AS unit,
  TRUE AS published,
  p.period,
  p.from_us AS period_from_us,
  p.to_us AS period_to_us,
  MAKE_TIMESTAMP(p.from_us) AS period_start,
  MAKE_TIMESTAMP(p.to_us) AS period_end,
  CASE
    WHEN COALESCE(c.promise_decided, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(c.promise_good, 0) * 1 >= 90 * COALESCE(c.promise_decided, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS promise_status,
  CASE
    WHEN COALESCE(c.promise_decided, 0) > 0
    THEN 100 * CAST(COALESCE(c.promise_good, 0) AS DOUBLE) / COALESCE(c.promise_decided, 0)
  END AS promise_value,
  COALESCE(c.promise_decided, 0) AS promise_decided,
  COALESCE(c.promise_good, 0) AS promise_good,
  CASE
    WHEN COALESCE(c.target_decided, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(c.target_good, 0) * 1 >= 95 * COALESCE(c.target_decided, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS target_status,
  CASE
    WHEN COALESCE(c.target_decided, 0) > 0
    THEN 100 * CAST(COALESCE(c.target_good, 0) AS DOUBLE) / COALESCE(c.target_decided, 0)
  END AS target_value,
  COALESCE(c.target_decided, 0) AS target_decided,
  COALESCE(c.target_good, 0) AS target_good,
  c.open_cases,
  c.overdue_cases,
  c.finished,
  CAST(q.p50_us AS DOUBLE) / 1000000 AS p50_seconds,
  CAST(q.p90_us AS DOUBLE) / 1000000 AS p90_seconds,
  CAST(q.p95_us AS DOUBLE) / 1000000 AS p95_seconds,
  a.answers,
  a.promoters,
  a.detractors,
  k.total AS events,
  k.worst AS worst_stretch_events,
  COALESCE(u.outside_calendar, 0) AS outside_calendar
FROM {{ ref('touch_periods') }} AS p
LEFT JOIN {{ ref('touch_case_summary') }} AS c
  ON c.item = p.item AND c.period = p.period
LEFT JOIN {{ ref('touch_percentiles') }} AS q
  ON q.item = p.item AND q.period = p.period
LEFT JOIN {{ ref('touch_ratio_summary') }} AS r
  ON r.item = p.item AND r.period = p.period
LEFT JOIN {{ ref('touch_answer_summary') }} AS a
  ON a.item = p.item AND a.period = p.period
LEFT JOIN {{ ref('touch_count_summary') }} AS k
  ON k.item = p.item AND k.period = p.period
LEFT JOIN {{ ref('touch_outside_calendar') }} AS u
  ON u.item = p.item
WHERE
  p.item = 5
UNION ALL
SELECT
  p.item,
  'address_change' AS touchpoint,
  'first_contact' AS metric,
  CAST(NULL AS TEXT) AS segment,
  'ratio' AS kind,
  'billing' AS owner,
  'home_internet' AS journey,
  CAST(NULL AS TEXT) AS calendar,
  CAST(NULL AS TEXT) AS unit,
  TRUE AS published,
  p.period,
  p.from_us AS period_from_us,
  p.to_us AS period_to_us,
  MAKE_TIMESTAMP(p.from_us) AS period_start,
  MAKE_TIMESTAMP(p.to_us) AS period_end,
  CASE
    WHEN COALESCE(r.cases, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(r.matching, 0) * 1 >= 70 * COALESCE(r.cases, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS promise_status,
  CASE
    WHEN COALESCE(r.cases, 0) > 0
    THEN 100 * CAST(COALESCE(r.matching, 0) AS DOUBLE) / COALESCE(r.cases, 0)
  END AS promise_value,
  COALESCE(r.cases, 0) AS promise_decided,
  COALESCE(r.matching, 0) AS promise_good,
  CASE
    WHEN COALESCE(r.cases, 0) = 0
    THEN 'no_data'
    WHEN 100 * COALESCE(r.matching, 0) * 1 >= 80 * COALESCE(r.cases, 0)
    THEN 'kept'
    ELSE 'missed'
  END AS target_status,
  CASE
    WHEN COALESCE(r.cases, 0) > 0
    THEN 100 * CAST(COALESCE(r.matching, 0) AS DOUBLE) / COALESCE(r.cases, 0)
  END AS target_value,
  COALESCE(r.cases, 0) AS target_decided,
  COALESCE(r.matching, 0) AS target_good,
  c.open_cases,
  c.overdue_cases,
  c.finished,
  CAST(q.p50_us AS DOUBLE) / 1000000 AS p50_seconds,
  CAST(q.p90_us AS DOUBLE) / 1000000 AS p90_seconds,
  CAST(q.p95_us AS DOUBLE) / 1000000 AS p95_seconds,
  a.answers,
  a.promoters,
  a.detractors,
  k.total AS events,
  k.worst AS worst_stretch_events,
  CAST(0 AS BIGINT) AS outside_calendar
FROM {{ ref('touch_periods') }} AS p
LEFT JOIN {{ ref('touch_case_summary') }} AS c
  ON c.item = p.item AND c.period = p.period
LEFT JOIN {{ ref('touch_percentiles') }} AS q
  ON q.item = p.item AND q.period = p.period
LEFT JOIN {{ ref('touch_ratio_summary') }} AS r
  ON r.item = p.item AND r.period = p.period
LEFT JOIN {{ ref('touch_answer_summary') }} AS a
  ON a.item = p.item AND a.period = p.period
LEFT JOIN {{ ref('touch_count_summary') }} AS k
  ON k.item = p.item AND k.period = p.period
LEFT JOIN {{ ref('touch_outside_calendar') }} AS u
  ON u.item = p.item
WHERE
  p.item = 6
UNION ALL
SELECT
  p.item,
  'address_change' AS touchpoint,
  'complaints' AS metric,
  CAST(NULL AS TEXT) AS segment,
  'count' AS kind,
  'billing' AS owner,
  'home_internet' AS journey,
  CAST(NULL AS TEXT) AS calendar,
  CAST(NULL AS TEXT) AS unit,
  TRUE AS published,
  p.period,
  p.from_us AS period_from_us,
  p.to_us AS period_to_us,
  MAKE_TIMESTAMP(p.from_us) AS period_start,
  MAKE_TIMESTAMP(p.to_us) AS period_end,
  CASE WHEN COALESCE(k.worst, 0) * 1 <= 20 THEN 'kept' ELSE 'missed' END AS promise_status,
  CAST(COALESCE(k.worst, 0) AS DOUBLE) AS promise_value,
  COALESCE(k.total, 0) AS promise_decided,
  CAST(NULL AS BIGINT) AS promise_good,
  CASE WHEN COALESCE(k.worst, 0) * 1 <= 10 THEN 'kept' ELSE 'missed' END AS target_status,
  CAST(COALESCE(k.worst, 0) AS DOUBLE) AS target_value,
  COALESCE(k.total, 0) AS target_decided,
  CAST(NULL AS BIGINT) AS target_good,
  c.open_cases,
  c.overdue_cases,
  c.finished,
  CAST(q.p50_us AS DOUBLE) / 1000000 AS p50_seconds,
  CAST(q.p90_us AS DOUBLE) / 1000000 AS p90_seconds,
  CAST(q.p95_us AS DOUBLE) / 1000000 AS p95_seconds,
  a.answers,
  a.promoters,
  a.detractors,
  k.total AS events,
  k.worst AS worst_stretch_events,
  CAST(0 AS BIGINT) AS outside_calendar
FROM {{ ref('touch_periods') }} AS p
LEFT JOIN {{ ref('touch_case_summary') }} AS c
  ON c.item = p.item AND c.period = p.period
LEFT JOIN {{ ref('touch_percentiles') }} AS q
  ON q.item = p.item AND q.period = p.period
LEFT JOIN {{ ref('touch_ratio_summary') }} AS r
  ON r.item = p.item AND r.period = p.period
LEFT JOIN {{ ref('touch_answer_summary') }} AS a
  ON a.item = p.item AND a.period = p.period
LEFT JOIN {{ ref('touch_count_summary') }} AS k
  ON k.item = p.item AND k.period = p.period
LEFT JOIN {{ ref('touch_outside_calendar') }} AS u
  ON u.item = p.item
WHERE
  p.item = 7
