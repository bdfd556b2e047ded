{{ config(materialized='view') }}

SELECT
  'technical_fault' AS touchpoint,
  'abandoned' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'confirm.end' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'confirm.start' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'csat' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'offered' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'report.answered' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'report.end' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'report.start' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'update' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'verify.end' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'verify.start' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'visit.end' AS event
UNION ALL
SELECT
  'technical_fault' AS touchpoint,
  'visit.start' AS event
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'complaints' AS event
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'confirm.end' AS event
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'confirm.start' AS event
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'contacts' AS event
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'request.end' AS event
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'request.start' AS event
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'resolved_first_contact' AS event
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'update' AS event
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'update.end' AS event
UNION ALL
SELECT
  'address_change' AS touchpoint,
  'update.start' AS event
