-- time_to_resolution: group sizes
SELECT
  "t9"."segment",
  "t9"."period",
  "t9"."_group_key",
  COUNT(*) AS "n"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t7"."segment",
      DATE_TRUNC('MONTH', "t7"."opened_at") AS "period",
      CAST(EPOCH(CAST("t7"."resolved_at" AS TIMESTAMP)) - EPOCH(CAST("t7"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 3600.0 AS "_value",
      COALESCE("t7"."segment", '∅') || '|' || COALESCE(CAST(DATE_TRUNC('MONTH', "t7"."opened_at") AS TEXT), '∅') AS "_group_key"
    FROM (
      SELECT
        "t6".*
        EXCLUDE ("_acc_id")
      FROM (
        SELECT
          "t5"."resolved_at",
          "t5"."opened_at",
          "t5"."account_id",
          "t4"."_acc_id",
          "t4"."segment"
        FROM (
          SELECT
            "t0"."resolved_at",
            "t0"."opened_at",
            "t0"."account_id"
          FROM "tickets" AS "t0"
          WHERE
            "t0"."resolved_at" IS NOT NULL
        ) AS "t5"
        LEFT OUTER JOIN (
          SELECT
            "t1"."account_id" AS "_acc_id",
            "t1"."segment"
          FROM "accounts" AS "t1"
        ) AS "t4"
          ON "t5"."account_id" = "t4"."_acc_id"
      ) AS "t6"
    ) AS "t7"
  ) AS "t8"
  WHERE
    "t8"."_value" IS NOT NULL
) AS "t9"
GROUP BY
  1,
  2,
  3;

-- time_to_resolution: order statistics at the ranks derived from the group sizes
SELECT
  "t13"."_group_key",
  "t13"."_rank",
  "t13"."_value"
FROM (
  SELECT
    "t11"."segment",
    "t11"."period",
    "t11"."_value",
    "t11"."_group_key",
    (
      ROW_NUMBER() OVER (
        PARTITION BY "t11"."_group_key"
        ORDER BY "t11"."_value" ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
      ) - 1
    ) + 1 AS "_rank"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t9"."segment",
        DATE_TRUNC('MONTH', "t9"."opened_at") AS "period",
        CAST(EPOCH(CAST("t9"."resolved_at" AS TIMESTAMP)) - EPOCH(CAST("t9"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 3600.0 AS "_value",
        COALESCE("t9"."segment", '∅') || '|' || COALESCE(CAST(DATE_TRUNC('MONTH', "t9"."opened_at") AS TEXT), '∅') AS "_group_key"
      FROM (
        SELECT
          "t8".*
          EXCLUDE ("_acc_id")
        FROM (
          SELECT
            "t7"."resolved_at",
            "t7"."opened_at",
            "t7"."account_id",
            "t6"."_acc_id",
            "t6"."segment"
          FROM (
            SELECT
              "t1"."resolved_at",
              "t1"."opened_at",
              "t1"."account_id"
            FROM "tickets" AS "t1"
            WHERE
              "t1"."resolved_at" IS NOT NULL
          ) AS "t7"
          LEFT OUTER JOIN (
            SELECT
              "t2"."account_id" AS "_acc_id",
              "t2"."segment"
            FROM "accounts" AS "t2"
          ) AS "t6"
            ON "t7"."account_id" = "t6"."_acc_id"
        ) AS "t8"
      ) AS "t9"
    ) AS "t10"
    WHERE
      "t10"."_value" IS NOT NULL
  ) AS "t11"
) AS "t13"
INNER JOIN "calendar_memtable" AS "t3"
  ON "t13"."_group_key" = "t3"."_group_key" AND "t13"."_rank" = "t3"."_rank";
