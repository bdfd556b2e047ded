{{ config(materialized='view') }}

SELECT
  'injected' AS touchpoint,
  'urgent' AS segment
UNION ALL
SELECT
  'injected' AS touchpoint,
  'usual' AS segment
