{{ config(materialized='view') }}

SELECT
  CAST(0 AS INT) AS src,
  CAST(NULL AS BIGINT) AS src_row,
  NULLIF(CAST("case" AS TEXT), '') AS case_id,
  COALESCE(CAST("touchpoint" AS TEXT), '') AS touchpoint,
  COALESCE(CAST("event" AS TEXT), '') AS event,
  EPOCH_US("at") AS at_us,
  CAST(NULL AS TEXT) AS at_text,
  CAST("value" AS DOUBLE) AS value,
  CAST(NULL AS TEXT) AS value_text,
  NULLIF(TRIM(CAST("segment" AS TEXT)), '') AS segment,
  CAST("channel" AS TEXT) AS channel
FROM {{ source('touchdsl', 'events') }}
