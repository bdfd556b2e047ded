{{ config(materialized='table') }}

SELECT
  CAST(NULL AS INT) AS item,
  CAST(NULL AS TEXT) AS case_id,
  CAST(NULL AS BIGINT) AS den_at,
  CAST(NULL AS BIGINT) AS num_at
FROM {{ ref('touch_run') }}
WHERE
  1 = 0
