-- backlog: open tickets at each period end
SELECT
  "t12"."segment",
  "t12"."_p_start",
  "t12"."age",
  COUNT(*) FILTER(WHERE
    "t12"."_open") AS "events"
FROM (
  SELECT
    "t11"."opened_at",
    "t11"."resolved_at",
    "t11"."status",
    "t11"."account_id",
    "t11"."segment",
    "t11"."_p_start",
    "t11"."_p_end",
    "t11"."_p_months",
    CASE
      WHEN (
        CAST(EPOCH(CAST("t11"."_p_end" AS TIMESTAMP)) - EPOCH(CAST("t11"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 86400.0
      ) < 1.0
      THEN '0-1d'
      WHEN (
        CAST(EPOCH(CAST("t11"."_p_end" AS TIMESTAMP)) - EPOCH(CAST("t11"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 86400.0
      ) < 7.0
      THEN '1-7d'
      WHEN (
        CAST(EPOCH(CAST("t11"."_p_end" AS TIMESTAMP)) - EPOCH(CAST("t11"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 86400.0
      ) < 30.0
      THEN '7-30d'
      ELSE '30d+'
    END AS "age",
    (
      "t11"."opened_at" < "t11"."_p_end"
    )
    AND NOT (
      (
        "t11"."resolved_at" IS NULL
      ) AND "t11"."status" IN ('resolved', 'closed')
    )
    AND (
      (
        "t11"."resolved_at" IS NULL
      ) OR (
        "t11"."resolved_at" >= "t11"."_p_end"
      )
    ) AS "_open"
  FROM (
    SELECT
      "t10"."opened_at",
      "t10"."resolved_at",
      "t10"."status",
      "t10"."account_id",
      "t10"."segment",
      "t3"."_p_start",
      "t3"."_p_end",
      "t3"."_p_months"
    FROM (
      SELECT
        "t8".*
        EXCLUDE ("_acc_id")
      FROM (
        SELECT
          "t6"."opened_at",
          "t6"."resolved_at",
          "t6"."status",
          "t6"."account_id",
          "t7"."_acc_id",
          "t7"."segment"
        FROM (
          SELECT
            "t1"."opened_at",
            "t1"."resolved_at",
            "t1"."status",
            "t1"."account_id"
          FROM "tickets" AS "t1"
        ) AS "t6"
        LEFT OUTER JOIN (
          SELECT
            "t2"."account_id" AS "_acc_id",
            "t2"."segment"
          FROM "accounts" AS "t2"
        ) AS "t7"
          ON "t6"."account_id" = "t7"."_acc_id"
      ) AS "t8"
    ) AS "t10"
    CROSS JOIN "calendar_memtable" AS "t3"
  ) AS "t11"
) AS "t12"
GROUP BY
  1,
  2,
  3;
