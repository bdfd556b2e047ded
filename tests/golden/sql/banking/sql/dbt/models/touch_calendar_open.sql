{{ config(materialized='table') }}

SELECT
  calendar,
  CAST(FLOOR((
    before_us
  ) / 86400000000) AS BIGINT) AS bucket,
  from_us,
  before_us,
  to_us - from_us AS len_us
FROM {{ source('touchdsl', 'touch_calendar') }}
WHERE
  is_open
UNION ALL
SELECT
  calendar,
  CAST(FLOOR((
    before_us + to_us - from_us - 1
  ) / 86400000000) AS BIGINT) AS bucket,
  from_us,
  before_us,
  to_us - from_us AS len_us
FROM {{ source('touchdsl', 'touch_calendar') }}
WHERE
  is_open
  AND CAST(FLOOR((
    before_us + to_us - from_us - 1
  ) / 86400000000) AS BIGINT) <> CAST(FLOOR((
    before_us
  ) / 86400000000) AS BIGINT)
