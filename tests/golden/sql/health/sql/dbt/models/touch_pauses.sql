{{ config(materialized='table') }}

SELECT
  item,
  case_id,
  from_us,
  to_us
FROM (
  SELECT
    item,
    case_id,
    from_us,
    MAX(to_us) OVER (PARTITION BY item, case_id, island) AS to_us,
    ROW_NUMBER() OVER (
      PARTITION BY item, case_id, island
      ORDER BY from_us NULLS FIRST, to_us NULLS FIRST
    ) AS first
  FROM (
    SELECT
      item,
      case_id,
      from_us,
      to_us,
      SUM(opens) OVER (
        PARTITION BY item, case_id
        ORDER BY from_us NULLS FIRST, to_us NULLS FIRST
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS island
    FROM (
      SELECT
        item,
        case_id,
        from_us,
        to_us,
        CASE
          WHEN from_us > MAX(to_us) OVER (
            PARTITION BY item, case_id
            ORDER BY from_us NULLS FIRST, to_us NULLS FIRST
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
          )
          OR ROW_NUMBER() OVER (PARTITION BY item, case_id ORDER BY from_us NULLS FIRST, to_us NULLS FIRST) = 1
          THEN 1
          ELSE 0
        END AS opens
      FROM {{ ref('touch_pause_stretches') }}
    ) AS marked
  ) AS numbered
) AS islands
WHERE
  first = 1
