-- returning_customer_rate: buyers and returning buyers
SELECT
  "t15"."segment",
  "t15"."period",
  COUNT(*) AS "n",
  COUNT(*) FILTER(WHERE
    (
      (
        (
          EXTRACT(year FROM "t15"."_first") * 12
        ) + EXTRACT(month FROM "t15"."_first")
      ) - 1
    ) < "t15"."period") AS "successes"
FROM (
  SELECT
    "t14"."segment",
    "t14"."period",
    "t14"."account_id",
    "t14"."orders",
    "t14"."priced",
    "t14"."cancellations",
    "t14"."revenue",
    "t14"."net",
    "t14"."unpriced",
    "t8"."_fa",
    "t8"."_first"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t11"."segment",
        "t11"."period",
        "t11"."account_id",
        COUNT(*) FILTER(WHERE
          COALESCE(
            LOWER(TRIM("t11"."status", ' 	
')) IN ('completed', 'paid', 'delivered', 'shipped', 'fulfilled')
            OR (
              "t11"."status" IS NULL
            )
            OR (
              LOWER(TRIM("t11"."status", ' 	
')) = ''
            ),
            FALSE
          )) AS "orders",
        COUNT(*) FILTER(WHERE
          COALESCE(
            LOWER(TRIM("t11"."status", ' 	
')) IN ('completed', 'paid', 'delivered', 'shipped', 'fulfilled')
            OR (
              "t11"."status" IS NULL
            )
            OR (
              LOWER(TRIM("t11"."status", ' 	
')) = ''
            ),
            FALSE
          )
          AND (
            "t11"."amount" IS NOT NULL
          )) AS "priced",
        COUNT(*) FILTER(WHERE
          COALESCE(
            LOWER(TRIM("t11"."status", ' 	
')) IN ('cancelled', 'canceled', 'refunded', 'returned'),
            FALSE
          )) AS "cancellations",
        COALESCE(
          SUM("t11"."amount") FILTER(WHERE
            COALESCE(
              LOWER(TRIM("t11"."status", ' 	
')) IN ('completed', 'paid', 'delivered', 'shipped', 'fulfilled')
              OR (
                "t11"."status" IS NULL
              )
              OR (
                LOWER(TRIM("t11"."status", ' 	
')) = ''
              ),
              FALSE
            )
            AND (
              "t11"."amount" IS NOT NULL
            )),
          0.0
        ) AS "revenue",
        COALESCE(
          SUM(
            CASE
              WHEN COALESCE(
                LOWER(TRIM("t11"."status", ' 	
')) IN ('completed', 'paid', 'delivered', 'shipped', 'fulfilled')
                OR (
                  "t11"."status" IS NULL
                )
                OR (
                  LOWER(TRIM("t11"."status", ' 	
')) = ''
                ),
                FALSE
              )
              THEN "t11"."amount"
              WHEN COALESCE(
                LOWER(TRIM("t11"."status", ' 	
')) IN ('cancelled', 'canceled', 'refunded', 'returned'),
                FALSE
              )
              THEN -(
                ABS("t11"."amount")
              )
              ELSE 0.0
            END
          ) FILTER(WHERE
            "t11"."amount" IS NOT NULL),
          0.0
        ) AS "net",
        COUNT(*) FILTER(WHERE
          (
            COALESCE(
              LOWER(TRIM("t11"."status", ' 	
')) IN ('completed', 'paid', 'delivered', 'shipped', 'fulfilled')
              OR (
                "t11"."status" IS NULL
              )
              OR (
                LOWER(TRIM("t11"."status", ' 	
')) = ''
              ),
              FALSE
            )
            OR COALESCE(
              LOWER(TRIM("t11"."status", ' 	
')) IN ('cancelled', 'canceled', 'refunded', 'returned'),
              FALSE
            )
          )
          AND NOT (
            "t11"."amount" IS NOT NULL
          )) AS "unpriced"
      FROM (
        SELECT
          "t10"."amount",
          "t10"."status",
          "t10"."ordered_at",
          "t10"."account_id",
          "t10"."segment",
          (
            (
              EXTRACT(year FROM "t10"."ordered_at") * 12
            ) + EXTRACT(month FROM "t10"."ordered_at")
          ) - 1 AS "period"
        FROM (
          SELECT
            "t9".*
            EXCLUDE ("_acc_id")
          FROM (
            SELECT
              "t6"."amount",
              "t6"."status",
              "t6"."ordered_at",
              "t6"."account_id",
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
            ) AS "t6"
            LEFT OUTER JOIN (
              SELECT
                "t1"."account_id" AS "_acc_id",
                "t1"."segment"
              FROM "accounts" AS "t1"
            ) AS "t3"
              ON "t6"."account_id" = "t3"."_acc_id"
          ) AS "t9"
        ) AS "t10"
      ) AS "t11"
      GROUP BY
        1,
        2,
        3
    ) AS "t12"
    WHERE
      "t12"."orders" > 0
  ) AS "t14"
  LEFT OUTER JOIN (
    SELECT
      "t4"."account_id" AS "_fa",
      MIN("t4"."ordered_at") AS "_first"
    FROM (
      SELECT
        *
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
  ) AS "t8"
    ON "t14"."account_id" = "t8"."_fa"
) AS "t15"
GROUP BY
  1,
  2;
