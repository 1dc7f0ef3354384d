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
    (
      (
        EXTRACT(year FROM "t6"."occurred_at") * 12
      ) + EXTRACT(month FROM "t6"."occurred_at")
    ) - 1 AS "period"
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
  "t6"."segment",
  "t6"."_p_start",
  "t6"."_p_months",
  COUNT(*) AS "accounts"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t4"."segment",
      "t4"."start_date",
      "t4"."end_date",
      "t2"."_p_start",
      "t2"."_p_end",
      "t2"."_p_months"
    FROM (
      SELECT
        "t0"."segment",
        "t0"."start_date",
        "t0"."end_date"
      FROM "accounts" AS "t0"
    ) AS "t4"
    CROSS JOIN "calendar_memtable" AS "t2"
  ) AS "t5"
  WHERE
    "t5"."start_date" < "t5"."_p_end"
    AND (
      (
        "t5"."end_date" IS NULL
      ) OR (
        "t5"."end_date" >= "t5"."_p_start"
      )
    )
) AS "t6"
GROUP BY
  1,
  2,
  3;
