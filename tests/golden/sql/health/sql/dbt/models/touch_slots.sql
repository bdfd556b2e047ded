{{ config(materialized='view') }}

SELECT
  'appointment' AS touchpoint,
  'call.start' AS event,
  CAST(0 AS INT) AS tp,
  CAST(0 AS INT) AS slot
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'call.answered' AS event,
  CAST(0 AS INT) AS tp,
  CAST(1 AS INT) AS slot
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'offer.end' AS event,
  CAST(0 AS INT) AS tp,
  CAST(2 AS INT) AS slot
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'abandoned' AS event,
  CAST(0 AS INT) AS tp,
  CAST(3 AS INT) AS slot
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'offered' AS event,
  CAST(0 AS INT) AS tp,
  CAST(4 AS INT) AS slot
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'sample.start' AS event,
  CAST(1 AS INT) AS tp,
  CAST(0 AS INT) AS slot
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'publish.end' AS event,
  CAST(1 AS INT) AS tp,
  CAST(1 AS INT) AS slot
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'receive.start' AS event,
  CAST(2 AS INT) AS tp,
  CAST(0 AS INT) AS slot
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'reply.end' AS event,
  CAST(2 AS INT) AS tp,
  CAST(1 AS INT) AS slot
