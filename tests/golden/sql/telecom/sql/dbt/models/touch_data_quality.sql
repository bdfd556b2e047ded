{{ config(materialized='table') }}

SELECT
  kind,
  COUNT(*) AS problems
FROM {{ ref('touch_problem_rows') }}
GROUP BY
  kind
