{{ config(materialized='view') }}

SELECT
  'injected' AS touchpoint,
  'open.start' AS event,
  CAST(0 AS INT) AS tp,
  CAST(0 AS INT) AS slot
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.answered' AS event,
  CAST(0 AS INT) AS tp,
  CAST(1 AS INT) AS slot
UNION ALL
SELECT
  'injected' AS touchpoint,
  'close.end' AS event,
  CAST(0 AS INT) AS tp,
  CAST(2 AS INT) AS slot
UNION ALL
SELECT
  'injected' AS touchpoint,
  'dropped' AS event,
  CAST(0 AS INT) AS tp,
  CAST(3 AS INT) AS slot
UNION ALL
SELECT
  'injected' AS touchpoint,
  'offered' AS event,
  CAST(0 AS INT) AS tp,
  CAST(4 AS INT) AS slot
UNION ALL
SELECT
  'injected' AS touchpoint,
  'resolved' AS event,
  CAST(0 AS INT) AS tp,
  CAST(5 AS INT) AS slot
UNION ALL
SELECT
  'injected' AS touchpoint,
  'contacts' AS event,
  CAST(0 AS INT) AS tp,
  CAST(6 AS INT) AS slot
