{{ config(materialized='view') }}

SELECT
  CAST(0 AS INT) AS item,
  'bank_transfer' AS touchpoint,
  'time' AS kind,
  CAST(NULL AS TEXT) AS calendar,
  CAST(7200000000 AS BIGINT) AS promise_us,
  CAST(3600000000 AS BIGINT) AS target_us,
  CAST(NULL AS DOUBLE) AS low,
  CAST(NULL AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us,
  CAST(NULL AS TEXT) AS segment,
  FALSE AS days
UNION ALL
SELECT
  CAST(1 AS INT) AS item,
  'bank_transfer' AS touchpoint,
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
  CAST(NULL AS BIGINT) AS per_us,
  CAST(NULL AS TEXT) AS segment,
  FALSE AS days
UNION ALL
SELECT
  CAST(2 AS INT) AS item,
  'bank_transfer' AS touchpoint,
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
  CAST(NULL AS BIGINT) AS per_us,
  CAST(NULL AS TEXT) AS segment,
  FALSE AS days
UNION ALL
SELECT
  CAST(3 AS INT) AS item,
  'bank_transfer' AS touchpoint,
  'updates' AS kind,
  CAST(NULL AS TEXT) AS calendar,
  CAST(1800000000 AS BIGINT) AS promise_us,
  CAST(1800000000 AS BIGINT) AS target_us,
  CAST(NULL AS DOUBLE) AS low,
  CAST(NULL AS DOUBLE) AS high,
  FALSE AS whole,
  CAST(NULL AS DOUBLE) AS promise_least,
  CAST(NULL AS DOUBLE) AS target_least,
  CAST(NULL AS BOOLEAN) AS bad_is_num,
  CAST(NULL AS BIGINT) AS per_us,
  CAST(NULL AS TEXT) AS segment,
  FALSE AS days
