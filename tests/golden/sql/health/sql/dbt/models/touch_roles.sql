{{ config(materialized='view') }}

SELECT
  'appointment' AS touchpoint,
  'call.start' AS event,
  CAST(0 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'call.answered' AS event,
  CAST(0 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'call.start' AS event,
  CAST(1 AS INT) AS item,
  'start' AS role,
  'urgent' AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'offer.end' AS event,
  CAST(1 AS INT) AS item,
  'end' AS role,
  'urgent' AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'call.start' AS event,
  CAST(2 AS INT) AS item,
  'start' AS role,
  'routine' AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'offer.end' AS event,
  CAST(2 AS INT) AS item,
  'end' AS role,
  'routine' AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'abandoned' AS event,
  CAST(3 AS INT) AS item,
  'num' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'offered' AS event,
  CAST(3 AS INT) AS item,
  'den' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'csat' AS event,
  CAST(4 AS INT) AS item,
  'answer' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'sample.start' AS event,
  CAST(5 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'publish.end' AS event,
  CAST(5 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'recommend' AS event,
  CAST(6 AS INT) AS item,
  'answer' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'sample.start' AS event,
  CAST(7 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'publish.end' AS event,
  CAST(7 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'update' AS event,
  CAST(7 AS INT) AS item,
  'update' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'receive.start' AS event,
  CAST(8 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'reply.end' AS event,
  CAST(8 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'details.start' AS event,
  CAST(8 AS INT) AS item,
  'pause_start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(0 AS INT) AS pause
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'details.end' AS event,
  CAST(8 AS INT) AS item,
  'pause_end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(0 AS INT) AS pause
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'complaints' AS event,
  CAST(9 AS INT) AS item,
  'count' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'effort' AS event,
  CAST(10 AS INT) AS item,
  'answer' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'receive.start' AS event,
  CAST(11 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'reply.end' AS event,
  CAST(11 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'update' AS event,
  CAST(11 AS INT) AS item,
  'update' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
