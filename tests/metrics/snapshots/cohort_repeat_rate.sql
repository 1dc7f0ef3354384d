-- cohort_repeat_rate: cohort size and repeat buyers
SELECT
  "t8"."segment",
  "t8"."_s",
  COUNT(*) AS "n",
  COUNT(*) FILTER(WHERE
    "t8"."_orders" >= 2) AS "successes"
FROM (
  SELECT
    "t7".*
    EXCLUDE ("_acc_id")
  FROM (
    SELECT
      "t6"."account_id",
      "t6"."_s",
      "t6"."_orders",
      "t3"."_acc_id",
      "t3"."segment"
    FROM (
      SELECT
        "t4"."account_id",
        MIN("t4"."_m") AS "_s",
        COUNT(*) AS "_orders"
      FROM (
        SELECT
          "t0"."account_id",
          (
            (
              EXTRACT(year FROM "t0"."ordered_at") * 12
            ) + EXTRACT(month FROM "t0"."ordered_at")
          ) - 1 AS "_m"
        FROM "orders" AS "t0"
        WHERE
          COALESCE(
            LOWER(TRIM("t0"."status", ' 	
')) IN ('completed', 'paid', 'delivered', 'shipped', 'fulfilled')
            OR (
              "t0"."status" IS NULL
            )
            OR (
              LOWER(TRIM("t0"."status", ' 	
')) = ''
            ),
            FALSE
          )
      ) AS "t4"
      GROUP BY
        1
    ) AS "t6"
    LEFT OUTER JOIN (
      SELECT
        "t1"."account_id" AS "_acc_id",
        "t1"."segment"
      FROM "accounts" AS "t1"
    ) AS "t3"
      ON "t6"."account_id" = "t3"."_acc_id"
  ) AS "t7"
) AS "t8"
GROUP BY
  1,
  2;
