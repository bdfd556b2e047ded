{{ config(materialized='view') }}

SELECT
  'technical_fault' AS touchpoint,
  'report.start' AS event,
  CAST(0 AS INT) AS tp,
  CAST(0 AS INT) AS slot
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'report.answered' AS event,
  CAST(0 AS INT) AS tp,
  CAST(1 AS INT) AS slot
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'visit.start' AS event,
  CAST(0 AS INT) AS tp,
  CAST(2 AS INT) AS slot
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'abandoned' AS event,
  CAST(0 AS INT) AS tp,
  CAST(3 AS INT) AS slot
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'offered' AS event,
  CAST(0 AS INT) AS tp,
  CAST(4 AS INT) AS slot
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'verify.end' AS event,
  CAST(0 AS INT) AS tp,
  CAST(5 AS INT) AS slot
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'request.start' AS event,
  CAST(1 AS INT) AS tp,
  CAST(0 AS INT) AS slot
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'update.end' AS event,
  CAST(1 AS INT) AS tp,
  CAST(1 AS INT) AS slot
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'resolved_first_contact' AS event,
  CAST(1 AS INT) AS tp,
  CAST(2 AS INT) AS slot
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'contacts' AS event,
  CAST(1 AS INT) AS tp,
  CAST(3 AS INT) AS slot
