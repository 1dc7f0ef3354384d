-- cancellation_rate: sufficient statistics per group
SELECT
  "t8"."segment",
  "t8"."period",
  COUNT(*) FILTER(WHERE
    COALESCE(
      LOWER(TRIM("t8"."status", ' 	
')) IN ('completed', 'paid', 'delivered', 'shipped', 'fulfilled')
      OR (
        "t8"."status" IS NULL
      )
      OR (
        LOWER(TRIM("t8"."status", ' 	
')) = ''
      ),
      FALSE
    )
    OR COALESCE(
      LOWER(TRIM("t8"."status", ' 	
')) IN ('cancelled', 'canceled', 'refunded', 'returned'),
      FALSE
    )) AS "cancellation_rate__n",
  COUNT(*) FILTER(WHERE
    (
      COALESCE(
        LOWER(TRIM("t8"."status", ' 	
')) IN ('completed', 'paid', 'delivered', 'shipped', 'fulfilled')
        OR (
          "t8"."status" IS NULL
        )
        OR (
          LOWER(TRIM("t8"."status", ' 	
')) = ''
        ),
        FALSE
      )
      OR COALESCE(
        LOWER(TRIM("t8"."status", ' 	
')) IN ('cancelled', 'canceled', 'refunded', 'returned'),
        FALSE
      )
    )
    AND COALESCE(
      LOWER(TRIM("t8"."status", ' 	
')) IN ('cancelled', 'canceled', 'refunded', 'returned'),
      FALSE
    )) AS "cancellation_rate__successes"
FROM (
  SELECT
    "t7"."status",
    "t7"."ordered_at",
    "t7"."account_id",
    "t7"."segment",
    (
      (
        EXTRACT(year FROM "t7"."ordered_at") * 12
      ) + EXTRACT(month FROM "t7"."ordered_at")
    ) - 1 AS "period"
  FROM (
    SELECT
      "t6".*
      EXCLUDE ("_acc_id")
    FROM (
      SELECT
        "t5"."status",
        "t5"."ordered_at",
        "t5"."account_id",
        "t3"."_acc_id",
        "t3"."segment"
      FROM (
        SELECT
          "t0"."status",
          "t0"."ordered_at",
          "t0"."account_id"
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
          OR COALESCE(
            LOWER(TRIM("t0"."status", ' 	
')) IN ('cancelled', 'canceled', 'refunded', 'returned'),
            FALSE
          )
      ) AS "t5"
      LEFT OUTER JOIN (
        SELECT
          "t1"."account_id" AS "_acc_id",
          "t1"."segment"
        FROM "accounts" AS "t1"
      ) AS "t3"
        ON "t5"."account_id" = "t3"."_acc_id"
    ) AS "t6"
  ) AS "t7"
) AS "t8"
GROUP BY
  1,
  2;
