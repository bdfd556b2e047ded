{{ config(materialized='view') }}

SELECT
  'bank_transfer' AS touchpoint,
  'order.start' AS event,
  CAST(0 AS INT) AS tp,
  CAST(0 AS INT) AS slot
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'execute.end' AS event,
  CAST(0 AS INT) AS tp,
  CAST(1 AS INT) AS slot
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'notify.end' AS event,
  CAST(0 AS INT) AS tp,
  CAST(2 AS INT) AS slot
