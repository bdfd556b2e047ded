{{ config(materialized='view') }}

SELECT
  'bank_transfer' AS touchpoint,
  'order.start' AS event,
  CAST(0 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'execute.end' AS event,
  CAST(0 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'effort' AS event,
  CAST(1 AS INT) AS item,
  'answer' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'recommend' AS event,
  CAST(2 AS INT) AS item,
  'answer' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'order.start' AS event,
  CAST(3 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'notify.end' AS event,
  CAST(3 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'bank_transfer' AS touchpoint,
  'update' AS event,
  CAST(3 AS INT) AS item,
  'update' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
