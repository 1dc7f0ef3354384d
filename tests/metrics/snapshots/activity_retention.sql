-- activity_retention: cohort size and active customers by months since first activity
SELECT
  "t17"."segment",
  "t17"."_s",
  "t17"."months_since_first_activity",
  COUNT(DISTINCT "t17"."account_id") AS "n",
  COUNT(DISTINCT "t17"."_a") AS "successes"
FROM (
  SELECT
    "t16"."account_id",
    "t16"."_s",
    "t16"."_orders",
    "t16"."segment",
    "t16"."months_since_first_activity",
    "t8"."_a",
    "t8"."_am"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t13"."account_id",
        "t13"."_s",
        "t13"."_orders",
        "t13"."segment",
        "t3"."months_since_first_activity"
      FROM (
        SELECT
          "t11".*
          EXCLUDE ("_acc_id")
        FROM (
          SELECT
            "t10"."account_id",
            "t10"."_s",
            "t10"."_orders",
            "t5"."_acc_id",
            "t5"."segment"
          FROM (
            SELECT
              "t7"."account_id",
              MIN("t7"."_m") AS "_s",
              COUNT(*) AS "_orders"
            FROM (
              SELECT
                "t0"."account_id",
                (
                  (
                    EXTRACT(year FROM "t0"."occurred_at") * 12
                  ) + EXTRACT(month FROM "t0"."occurred_at")
                ) - 1 AS "_m"
              FROM "usage_events" AS "t0"
            ) AS "t7"
            GROUP BY
              1
          ) AS "t10"
          LEFT OUTER JOIN (
            SELECT
              "t2"."account_id" AS "_acc_id",
              "t2"."segment"
            FROM "accounts" AS "t2"
          ) AS "t5"
            ON "t10"."account_id" = "t5"."_acc_id"
        ) AS "t11"
      ) AS "t13"
      CROSS JOIN "calendar_memtable" AS "t3"
    ) AS "t14"
    WHERE
      (
        "t14"."_s" + "t14"."months_since_first_activity"
      ) <= 0
  ) AS "t16"
  LEFT OUTER JOIN (
    SELECT DISTINCT
      "t0"."account_id" AS "_a",
      (
        (
          EXTRACT(year FROM "t0"."occurred_at") * 12
        ) + EXTRACT(month FROM "t0"."occurred_at")
      ) - 1 AS "_am"
    FROM "usage_events" AS "t0"
  ) AS "t8"
    ON "t16"."account_id" = "t8"."_a"
    AND "t8"."_am" = (
      "t16"."_s" + "t16"."months_since_first_activity"
    )
) AS "t17"
GROUP BY
  1,
  2,
  3;
