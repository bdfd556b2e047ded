{{ config(materialized='view') }}

SELECT
  'technical_fault' AS touchpoint,
  'report.start' AS event,
  CAST(0 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'report.answered' AS event,
  CAST(0 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'report.start' AS event,
  CAST(1 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'visit.start' AS event,
  CAST(1 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'abandoned' AS event,
  CAST(2 AS INT) AS item,
  'num' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'offered' AS event,
  CAST(2 AS INT) AS item,
  'den' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'csat' AS event,
  CAST(3 AS INT) AS item,
  'answer' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'report.start' AS event,
  CAST(4 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'verify.end' AS event,
  CAST(4 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'update' AS event,
  CAST(4 AS INT) AS item,
  'update' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'request.start' AS event,
  CAST(5 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'update.end' AS event,
  CAST(5 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'resolved_first_contact' AS event,
  CAST(6 AS INT) AS item,
  'num' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'contacts' AS event,
  CAST(6 AS INT) AS item,
  'den' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'complaints' AS event,
  CAST(7 AS INT) AS item,
  'count' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
