{{ config(materialized='view') }}

SELECT
  'injected' AS touchpoint,
  'open.start' AS event,
  CAST(0 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.answered' AS event,
  CAST(0 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.start' AS event,
  CAST(1 AS INT) AS item,
  'start' AS role,
  'urgent' AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'close.end' AS event,
  CAST(1 AS INT) AS item,
  'end' AS role,
  'urgent' AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.held' AS event,
  CAST(1 AS INT) AS item,
  'pause_start' AS role,
  'urgent' AS segment,
  CAST(0 AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.resumed' AS event,
  CAST(1 AS INT) AS item,
  'pause_end' AS role,
  'urgent' AS segment,
  CAST(0 AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.start' AS event,
  CAST(2 AS INT) AS item,
  'start' AS role,
  'usual' AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'close.end' AS event,
  CAST(2 AS INT) AS item,
  'end' AS role,
  'usual' AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.held' AS event,
  CAST(2 AS INT) AS item,
  'pause_start' AS role,
  'usual' AS segment,
  CAST(0 AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.resumed' AS event,
  CAST(2 AS INT) AS item,
  'pause_end' AS role,
  'usual' AS segment,
  CAST(0 AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'dropped' AS event,
  CAST(3 AS INT) AS item,
  'num' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'offered' AS event,
  CAST(3 AS INT) AS item,
  'den' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'resolved' AS event,
  CAST(4 AS INT) AS item,
  'num' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'contacts' AS event,
  CAST(4 AS INT) AS item,
  'den' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.start' AS event,
  CAST(5 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'close.end' AS event,
  CAST(5 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.start' AS event,
  CAST(6 AS INT) AS item,
  'start' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'close.end' AS event,
  CAST(6 AS INT) AS item,
  'end' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'injected' AS touchpoint,
  'update' AS event,
  CAST(6 AS INT) AS item,
  'update' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'csat' AS event,
  CAST(7 AS INT) AS item,
  'answer' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'effort' AS event,
  CAST(8 AS INT) AS item,
  'answer' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'recommend' AS event,
  CAST(9 AS INT) AS item,
  'answer' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'complaints' AS event,
  CAST(10 AS INT) AS item,
  'count' AS role,
  CAST(NULL AS TEXT) AS segment,
  CAST(NULL AS INT) AS pause
