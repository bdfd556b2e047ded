CREATE TABLE touch_calendar (calendar VARCHAR, utc_day BIGINT, local_day DATE, from_us BIGINT, to_us BIGINT, is_open BOOLEAN, before_us BIGINT, closings_before BIGINT, closing_at INTEGER);
