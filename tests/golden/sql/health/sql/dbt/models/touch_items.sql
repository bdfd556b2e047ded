{{ config(materialized='view') }}

SELECT
  CAST(0 AS INT) AS item,
  'appointment' AS touchpoint,
  'time' AS kind,
  CAST(NULL AS TEXT) AS calendar,
  CAST(60000000 AS BIGINT) AS promise_us,
  CAST(45000000 AS BIGINT) AS target_us,
  CAST(NULL AS DOUBLE) AS low,
  CAST(NULL AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us
UNION ALL
SELECT
  CAST(1 AS INT) AS item,
  'appointment' AS touchpoint,
  'time' AS kind,
  'clinic_hours' AS calendar,
  CAST(259200000000 AS BIGINT) AS promise_us,
  CAST(172800000000 AS BIGINT) AS target_us,
  CAST(NULL AS DOUBLE) AS low,
  CAST(NULL AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us
UNION ALL
SELECT
  CAST(2 AS INT) AS item,
  'appointment' AS touchpoint,
  'ratio' AS kind,
  CAST(NULL AS TEXT) AS calendar,
  CAST(NULL AS BIGINT) AS promise_us,
  CAST(NULL AS BIGINT) AS target_us,
  CAST(NULL AS DOUBLE) AS low,
  CAST(NULL AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  TRUE AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us
UNION ALL
SELECT
  CAST(3 AS INT) AS item,
  'appointment' AS touchpoint,
  'score' AS kind,
  CAST(NULL AS TEXT) AS calendar,
  CAST(NULL AS BIGINT) AS promise_us,
  CAST(NULL AS BIGINT) AS target_us,
  CAST(1.0 AS DOUBLE) AS low,
  CAST(5.0 AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us
UNION ALL
SELECT
  CAST(4 AS INT) AS item,
  'lab_results' AS touchpoint,
  'time' AS kind,
  'clinic_hours' AS calendar,
  CAST(172800000000 AS BIGINT) AS promise_us,
  CAST(86400000000 AS BIGINT) AS target_us,
  CAST(NULL AS DOUBLE) AS low,
  CAST(NULL AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us
UNION ALL
SELECT
  CAST(5 AS INT) AS item,
  'lab_results' AS touchpoint,
  'nps' AS kind,
  CAST(NULL AS TEXT) AS calendar,
  CAST(NULL AS BIGINT) AS promise_us,
  CAST(NULL AS BIGINT) AS target_us,
  CAST(0.0 AS DOUBLE) AS low,
  CAST(10.0 AS DOUBLE) AS high,
  TRUE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us
UNION ALL
SELECT
  CAST(6 AS INT) AS item,
  'lab_results' AS touchpoint,
  'updates' AS kind,
  CAST(NULL AS TEXT) AS calendar,
  CAST(86400000000 AS BIGINT) AS promise_us,
  CAST(86400000000 AS BIGINT) AS target_us,
  CAST(NULL AS DOUBLE) AS low,
  CAST(NULL AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us
UNION ALL
SELECT
  CAST(7 AS INT) AS item,
  'complaint' AS touchpoint,
  'time' AS kind,
  'clinic_hours' AS calendar,
  CAST(1209600000000 AS BIGINT) AS promise_us,
  CAST(864000000000 AS BIGINT) AS target_us,
  CAST(NULL AS DOUBLE) AS low,
  CAST(NULL AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us
UNION ALL
SELECT
  CAST(8 AS INT) AS item,
  'complaint' AS touchpoint,
  'count' AS kind,
  CAST(NULL AS TEXT) AS calendar,
  CAST(NULL AS BIGINT) AS promise_us,
  CAST(NULL AS BIGINT) AS target_us,
  CAST(NULL AS DOUBLE) AS low,
  CAST(NULL AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(604800000000 AS BIGINT) AS per_us
UNION ALL
SELECT
  CAST(9 AS INT) AS item,
  'complaint' AS touchpoint,
  'score' AS kind,
  CAST(NULL AS TEXT) AS calendar,
  CAST(NULL AS BIGINT) AS promise_us,
  CAST(NULL AS BIGINT) AS target_us,
  CAST(1.0 AS DOUBLE) AS low,
  CAST(7.0 AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(5.0 AS DOUBLE) AS promise_least,
  CAST(5.0 AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us
UNION ALL
SELECT
  CAST(10 AS INT) AS item,
  'complaint' AS touchpoint,
  'updates' AS kind,
  CAST(NULL AS TEXT) AS calendar,
  CAST(259200000000 AS BIGINT) AS promise_us,
  CAST(259200000000 AS BIGINT) AS target_us,
  CAST(NULL AS DOUBLE) AS low,
  CAST(NULL AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us
