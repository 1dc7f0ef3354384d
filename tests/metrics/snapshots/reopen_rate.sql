-- reopen_rate: sufficient statistics per group
SELECT
  "t8"."segment",
  "t8"."period",
  COUNT(*) FILTER(WHERE
    "t8"."status" IN ('resolved', 'closed') AND (
      "t8"."reopen_count" IS NOT NULL
    )) AS "reopen_rate__n",
  COUNT(*) FILTER(WHERE
    "t8"."status" IN ('resolved', 'closed')
    AND (
      "t8"."reopen_count" IS NOT NULL
    )
    AND (
      "t8"."reopen_count" >= 1
    )) AS "reopen_rate__successes"
FROM (
  SELECT
    "t7"."status",
    "t7"."reopen_count",
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
        "t5"."status",
        "t5"."reopen_count",
        "t5"."opened_at",
        "t5"."account_id",
        "t4"."_acc_id",
        "t4"."segment"
      FROM (
        SELECT
          "t0"."status",
          "t0"."reopen_count",
          "t0"."opened_at",
          "t0"."account_id"
        FROM "tickets" AS "t0"
        WHERE
          "t0"."status" IN ('resolved', 'closed') AND "t0"."reopen_count" IS NOT NULL
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
GROUP BY
  1,
  2;
