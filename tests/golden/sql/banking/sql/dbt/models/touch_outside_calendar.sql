{{ config(materialized='table') }}

SELECT
  CAST(NULL AS INT) AS item,
  CAST(NULL AS BIGINT) AS outside_calendar
FROM (
  SELECT
    1 AS x
) AS nothing
WHERE
  1 = 0
