-- A call-centre queue log: one row per call, with the moment the caller entered the
-- queue and the moment the call was answered or abandoned (empty when it was not).
-- Each call of the `faults` queue becomes the events of touchpoint technical_fault:
-- `offered` and `report.start` when it entered, `report.answered` or `abandoned`.
-- The times are local wall time without an offset: run with --timezone Asia/Jerusalem.
WITH calls AS (
    SELECT * FROM read_csv('queue_log.csv') WHERE queue = 'faults'
)
SELECT call_id AS "case", 'technical_fault' AS touchpoint, 'offered' AS event, entered_at AS at FROM calls
UNION ALL
SELECT call_id, 'technical_fault', 'report.start', entered_at FROM calls
UNION ALL
SELECT call_id, 'technical_fault', 'report.answered', answered_at FROM calls WHERE answered_at IS NOT NULL
UNION ALL
SELECT call_id, 'technical_fault', 'abandoned', abandoned_at FROM calls WHERE abandoned_at IS NOT NULL
