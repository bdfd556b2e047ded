{{ config(materialized='view') }}

SELECT
  CAST(NULL AS TEXT) AS touchpoint,
  CAST(NULL AS TEXT) AS segment
FROM (
  SELECT
    1 AS x
) AS nothing
WHERE
  1 = 0
