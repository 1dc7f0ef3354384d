-- repeat_purchase_rate: buying accounts and repeat buyers
SELECT
  "t8"."segment",
  "t8"."period",
  COUNT(*) AS "n",
  COUNT(*) FILTER(WHERE
    "t8"."orders" >= 2) AS "successes"
FROM (
  SELECT
    "t7"."segment",
    "t7"."period",
    "t7"."account_id",
    COUNT(*) AS "orders"
  FROM (
    SELECT
      "t6"."ordered_at",
      "t6"."account_id",
      "t6"."segment",
      (
        (
          EXTRACT(year FROM "t6"."ordered_at") * 12
        ) + EXTRACT(month FROM "t6"."ordered_at")
      ) - 1 AS "period"
    FROM (
      SELECT
        "t4"."ordered_at",
        "t4"."account_id",
        "t5"."_acc_id",
        "t5"."segment"
      FROM (
        SELECT
          "t0"."ordered_at",
          "t0"."account_id"
        FROM "orders" AS "t0"
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
    2,
    3
) AS "t8"
GROUP BY
  1,
  2;
