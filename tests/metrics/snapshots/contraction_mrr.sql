-- contraction_mrr: per-account revenue now vs previous period
WITH "t5" AS (
  SELECT
    "t4"."account_id",
    (
      (
        EXTRACT(year FROM "t4"."period_start") * 12
      ) + EXTRACT(month FROM "t4"."period_start")
    ) - 1 AS "_idx",
    SUM("t4"."amount") AS "revenue"
  FROM (
    SELECT
      *
    FROM "invoices" AS "t1"
    WHERE
      (
        "t1"."status" IS NULL
      ) OR (
        "t1"."status" <> 'void'
      )
  ) AS "t4"
  GROUP BY
    1,
    2
)
SELECT
  "t16"."segment",
  "t16"."_idx",
  COUNT(*) AS "n",
  SUM("t16"."x") AS "sum_x",
  SUM("t16"."y") AS "sum_y",
  SUM("t16"."x" * "t16"."x") AS "sum_xx",
  SUM("t16"."y" * "t16"."y") AS "sum_yy",
  SUM("t16"."x" * "t16"."y") AS "sum_xy"
FROM (
  SELECT
    "t15".*
    EXCLUDE ("_a")
  FROM (
    SELECT
      "t14"."account_id",
      "t14"."_idx",
      "t14"."x",
      "t14"."y",
      "t3"."_a",
      "t3"."segment"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t11"."_acc" AS "account_id",
          "t11"."_target" AS "_idx",
          "t11"."x",
          CASE
            WHEN (
              COALESCE("t9"."now", 0.0) > 0
            )
            AND (
              COALESCE("t9"."now", 0.0) < "t11"."x"
            )
            THEN "t11"."x" - COALESCE("t9"."now", 0.0)
            ELSE 0.0
          END AS "y"
        FROM (
          SELECT
            "t6"."account_id" AS "_acc",
            "t6"."_idx" + 1 AS "_target",
            "t6"."revenue" AS "x"
          FROM "t5" AS "t6"
          WHERE
            "t6"."revenue" > 0
        ) AS "t11"
        LEFT OUTER JOIN (
          SELECT
            "t6"."account_id" AS "_acc2",
            "t6"."_idx" AS "_cur",
            "t6"."revenue" AS "now"
          FROM "t5" AS "t6"
        ) AS "t9"
          ON "t11"."_acc" = "t9"."_acc2" AND "t11"."_target" = "t9"."_cur"
      ) AS "t12"
      WHERE
        "t12"."_idx" <= (
          SELECT
            MAX("t6"."_idx") AS "Max(_idx)"
          FROM "t5" AS "t6"
        )
    ) AS "t14"
    LEFT OUTER JOIN (
      SELECT
        "t0"."account_id" AS "_a",
        "t0"."segment"
      FROM "accounts" AS "t0"
    ) AS "t3"
      ON "t14"."account_id" = "t3"."_a"
  ) AS "t15"
) AS "t16"
GROUP BY
  1,
  2;
