-- touchpoint_frequency: events per group and period
SELECT
  "t7"."segment",
  "t7"."period",
  COUNT(*) AS "events"
FROM (
  SELECT
    "t6"."occurred_at",
    "t6"."account_id",
    "t6"."segment",
    DATE_TRUNC('MONTH', "t6"."occurred_at") AS "period"
  FROM (
    SELECT
      "t4"."occurred_at",
      "t4"."account_id",
      "t5"."_acc_id",
      "t5"."segment"
    FROM (
      SELECT
        "t0"."occurred_at",
        "t0"."account_id"
      FROM "touchpoints" AS "t0"
      WHERE
        TRUE
    ) AS "t4"
    LEFT OUTER JOIN (
      SELECT
        "t1"."account_id" AS "_acc_id",
        "t1"."segment"
      FROM "accounts" AS "t1"
    ) AS "t5"
      ON "t4"."account_id" = "t5"."_acc_id"
  ) AS "t6"
) AS "t7"
GROUP BY
  1,
  2;

-- touchpoint_frequency: active accounts per period
SELECT
  "t5"."segment",
  "t5"."_p_start",
  "t5"."_p_months",
  COUNT(*) AS "accounts"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t2"."account_id",
      "t2"."name",
      "t2"."segment",
      "t2"."industry",
      "t2"."country",
      "t2"."owner",
      "t2"."plan",
      "t2"."start_date",
      "t2"."end_date",
      "t2"."mrr",
      "t2"."licenses",
      "t3"."_p_start",
      "t3"."_p_end",
      "t3"."_p_months"
    FROM "accounts" AS "t2"
    CROSS JOIN "calendar_memtable" AS "t3"
  ) AS "t4"
  WHERE
    "t4"."start_date" < "t4"."_p_end"
    AND (
      (
        "t4"."end_date" IS NULL
      ) OR (
        "t4"."end_date" >= "t4"."_p_start"
      )
    )
) AS "t5"
GROUP BY
  1,
  2,
  3;
