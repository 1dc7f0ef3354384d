-- orders_per_customer: per-customer sums over buying customers
SELECT
  "t10"."segment",
  "t10"."period",
  COUNT(*) AS "n",
  SUM(CAST("t10"."orders" AS DOUBLE)) AS "total",
  SUM(CAST("t10"."orders" AS DOUBLE) * CAST("t10"."orders" AS DOUBLE)) AS "total_sq"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t8"."segment",
      "t8"."period",
      "t8"."account_id",
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
        )) AS "orders",
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
        AND (
          "t8"."amount" IS NOT NULL
        )) AS "priced",
      COUNT(*) FILTER(WHERE
        COALESCE(
          LOWER(TRIM("t8"."status", ' 	
')) IN ('cancelled', 'canceled', 'refunded', 'returned'),
          FALSE
        )) AS "cancellations",
      COALESCE(
        SUM("t8"."amount") FILTER(WHERE
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
          AND (
            "t8"."amount" IS NOT NULL
          )),
        0.0
      ) AS "revenue",
      COALESCE(
        SUM(
          CASE
            WHEN COALESCE(
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
            THEN "t8"."amount"
            WHEN COALESCE(
              LOWER(TRIM("t8"."status", ' 	
')) IN ('cancelled', 'canceled', 'refunded', 'returned'),
              FALSE
            )
            THEN -(
              ABS("t8"."amount")
            )
            ELSE 0.0
          END
        ) FILTER(WHERE
          "t8"."amount" IS NOT NULL),
        0.0
      ) AS "net",
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
        AND NOT (
          "t8"."amount" IS NOT NULL
        )) AS "unpriced"
    FROM (
      SELECT
        "t7"."amount",
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
            "t5"."amount",
            "t5"."status",
            "t5"."ordered_at",
            "t5"."account_id",
            "t3"."_acc_id",
            "t3"."segment"
          FROM (
            SELECT
              "t0"."amount",
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
      2,
      3
  ) AS "t9"
  WHERE
    "t9"."orders" > 0
) AS "t10"
GROUP BY
  1,
  2;
