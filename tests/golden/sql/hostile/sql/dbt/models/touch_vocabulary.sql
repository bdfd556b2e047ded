{{ config(materialized='view') }}

SELECT
  'injected' AS touchpoint,
  'close.end' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'close.start' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'contacts' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'dropped' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'offered' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.answered' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.end' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.held' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.resumed' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'open.start' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'resolved' AS event
UNION ALL
SELECT
  'injected' AS touchpoint,
  'update' AS event
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'ask.end' AS event
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'ask.start' AS event
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'complaints' AS event
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'csat' AS event
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'effort' AS event
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'recommend' AS event
UNION ALL
SELECT
  'lonely' AS touchpoint,
  'update' AS event
