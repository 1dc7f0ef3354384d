-- open_important_tickets: open tickets at each period end
SELECT
  "t11"."segment",
  "t11"."_p_start",
  COUNT(*) FILTER(WHERE
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
    )) AS "events"
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
        "t7"."opened_at",
        "t7"."resolved_at",
        "t7"."status",
        "t7"."account_id",
        "t6"."_acc_id",
        "t6"."segment"
      FROM (
        SELECT
          "t1"."opened_at",
          "t1"."resolved_at",
          "t1"."status",
          "t1"."account_id"
        FROM "tickets" AS "t1"
        WHERE
          "t1"."priority" IN ('high', 'urgent')
      ) AS "t7"
      LEFT OUTER JOIN (
        SELECT
          "t2"."account_id" AS "_acc_id",
          "t2"."segment"
        FROM "accounts" AS "t2"
      ) AS "t6"
        ON "t7"."account_id" = "t6"."_acc_id"
    ) AS "t8"
  ) AS "t10"
  CROSS JOIN "calendar_memtable" AS "t3"
) AS "t11"
GROUP BY
  1,
  2;
