{{ config(materialized='view') }}

SELECT
  'appointment' AS touchpoint,
  'abandoned' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'call.answered' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'call.end' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'call.start' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'csat' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'offer.end' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'offer.start' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'offered' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'remind.end' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'remind.start' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'update' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'visit.end' AS event
UNION ALL
SELECT
  'appointment' AS touchpoint,
  'visit.start' AS event
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'analyse.end' AS event
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'analyse.start' AS event
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'publish.end' AS event
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'publish.start' AS event
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'recommend' AS event
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'sample.end' AS event
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'sample.start' AS event
UNION ALL
SELECT
  'lab_results' AS touchpoint,
  'update' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'complaints' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'details.end' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'details.start' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'effort' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'inquire.end' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'inquire.start' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'receive.end' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'receive.start' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'reply.end' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'reply.start' AS event
UNION ALL
SELECT
  'complaint' AS touchpoint,
  'update' AS event
