{{ config(materialized='table') }}

SELECT
  item,
  MIN(from_us) AS from_us
FROM {{ ref('touch_periods') }}
GROUP BY
  item
