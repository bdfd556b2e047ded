{{ config(materialized='view') }}

SELECT
  'bank_transfer' AS touchpoint,
  'effort' AS event
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'execute.end' AS event
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'execute.start' AS event
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'notify.end' AS event
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'notify.start' AS event
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'order.end' AS event
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'order.start' AS event
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'recommend' AS event
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'update' AS event
