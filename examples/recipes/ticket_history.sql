-- A ticketing tool's status history: one row per change of a ticket's status.
-- Address tickets become the events of touchpoint address_change: the ticket opened
-- (`request.start`, and a `contacts` case), resolved (`update.end`; after a reopening
-- the first resolution after the start still ends the case), the confirmation sent
-- (`confirm.end`), and `resolved_first_contact` for tickets resolved and never reopened.
WITH history AS (
    SELECT * FROM read_csv('ticket_history.csv') WHERE category = 'address'
),
reopened AS (
    SELECT DISTINCT ticket_id FROM history WHERE status = 'reopened'
)
SELECT ticket_id AS "case", 'address_change' AS touchpoint,
       CASE status WHEN 'new' THEN 'request.start'
                   WHEN 'resolved' THEN 'update.end'
                   ELSE 'confirm.end' END AS event,
       changed_at AS at
FROM history WHERE status IN ('new', 'resolved', 'confirmation_sent')
UNION ALL
SELECT ticket_id, 'address_change', 'contacts', changed_at FROM history WHERE status = 'new'
UNION ALL
SELECT ticket_id, 'address_change', 'resolved_first_contact', MIN(changed_at)
FROM history
WHERE status = 'resolved' AND ticket_id NOT IN (SELECT ticket_id FROM reopened)
GROUP BY ticket_id
