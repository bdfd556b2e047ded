{{ config(materialized='view') }}

SELECT
  'appointment' AS touchpoint,
  'urgent' AS segment
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'routine' AS segment
