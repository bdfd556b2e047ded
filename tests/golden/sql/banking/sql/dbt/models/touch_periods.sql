{{ config(materialized='view') }}

SELECT
  CAST(0 AS INT) AS item,
  CAST(0 AS INT) AS period,
  r.as_of_us - 2592000000000 AS from_us,
  r.as_of_us + 1 AS to_us
FROM {{ ref('touch_run') }} AS r
UNION ALL
SELECT
  CAST(1 AS INT) AS item,
  CAST(0 AS INT) AS period,
  r.as_of_us - 2419200000000 AS from_us,
  r.as_of_us + 1 AS to_us
FROM {{ ref('touch_run') }} AS r
UNION ALL
SELECT
  CAST(2 AS INT) AS item,
  CAST(0 AS INT) AS period,
  r.as_of_us - 2419200000000 AS from_us,
  r.as_of_us + 1 AS to_us
FROM {{ ref('touch_run') }} AS r
UNION ALL
SELECT
  CAST(3 AS INT) AS item,
  CAST(0 AS INT) AS period,
  r.as_of_us - 2419200000000 AS from_us,
  r.as_of_us + 1 AS to_us
FROM {{ ref('touch_run') }} AS r
