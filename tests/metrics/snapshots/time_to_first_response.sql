-- time_to_first_response: group sizes
SELECT
  "t10"."segment",
  "t10"."period",
  "t10"."_group_key",
  COUNT(*) AS "n"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t8"."segment",
      "t8"."period",
      CAST(EPOCH(CAST("t8"."first_response_at" AS TIMESTAMP)) - EPOCH(CAST("t8"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 3600.0 AS "_value",
      COALESCE("t8"."segment", '∅') || '|' || COALESCE(CAST("t8"."period" AS TEXT), '∅') AS "_group_key"
    FROM (
      SELECT
        "t7"."first_response_at",
        "t7"."opened_at",
        "t7"."account_id",
        "t7"."segment",
        (
          (
            EXTRACT(year FROM "t7"."opened_at") * 12
          ) + EXTRACT(month FROM "t7"."opened_at")
        ) - 1 AS "period"
      FROM (
        SELECT
          "t6".*
          EXCLUDE ("_acc_id")
        FROM (
          SELECT
            "t5"."first_response_at",
            "t5"."opened_at",
            "t5"."account_id",
            "t4"."_acc_id",
            "t4"."segment"
          FROM (
            SELECT
              "t0"."first_response_at",
              "t0"."opened_at",
              "t0"."account_id"
            FROM "tickets" AS "t0"
            WHERE
              "t0"."first_response_at" IS NOT NULL
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
  ) AS "t9"
  WHERE
    "t9"."_value" IS NOT NULL
) AS "t10"
GROUP BY
  1,
  2,
  3;

-- time_to_first_response: order statistics at the ranks derived from the group sizes
SELECT
  "t14"."_group_key",
  "t14"."_rank",
  "t14"."_value"
FROM (
  SELECT
    "t12"."segment",
    "t12"."period",
    "t12"."_value",
    "t12"."_group_key",
    (
      ROW_NUMBER() OVER (
        PARTITION BY "t12"."_group_key"
        ORDER BY "t12"."_value" ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
      ) - 1
    ) + 1 AS "_rank"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t10"."segment",
        "t10"."period",
        CAST(EPOCH(CAST("t10"."first_response_at" AS TIMESTAMP)) - EPOCH(CAST("t10"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 3600.0 AS "_value",
        COALESCE("t10"."segment", '∅') || '|' || COALESCE(CAST("t10"."period" AS TEXT), '∅') AS "_group_key"
      FROM (
        SELECT
          "t9"."first_response_at",
          "t9"."opened_at",
          "t9"."account_id",
          "t9"."segment",
          (
            (
              EXTRACT(year FROM "t9"."opened_at") * 12
            ) + EXTRACT(month FROM "t9"."opened_at")
          ) - 1 AS "period"
        FROM (
          SELECT
            "t8".*
            EXCLUDE ("_acc_id")
          FROM (
            SELECT
              "t7"."first_response_at",
              "t7"."opened_at",
              "t7"."account_id",
              "t6"."_acc_id",
              "t6"."segment"
            FROM (
              SELECT
                "t1"."first_response_at",
                "t1"."opened_at",
                "t1"."account_id"
              FROM "tickets" AS "t1"
              WHERE
                "t1"."first_response_at" IS NOT NULL
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
    ) AS "t11"
    WHERE
      "t11"."_value" IS NOT NULL
  ) AS "t12"
) AS "t14"
INNER JOIN "calendar_memtable" AS "t3"
  ON "t14"."_group_key" = "t3"."_group_key" AND "t14"."_rank" = "t3"."_rank";
