-- sla_first_response: sufficient statistics per group
SELECT
  "t8"."segment",
  "t8"."period",
  COUNT(*) FILTER(WHERE
    COALESCE(
      (
        CASE
          WHEN "t8"."priority" = 'urgent'
          THEN 1.0
          WHEN "t8"."priority" = 'high'
          THEN 4.0
          WHEN "t8"."priority" = 'normal'
          THEN 8.0
          WHEN "t8"."priority" = 'low'
          THEN 24.0
          ELSE CAST(NULL AS DOUBLE)
        END IS NOT NULL
      )
      AND (
        (
          "t8"."first_response_at" IS NOT NULL
        )
        OR (
          NOT (
            "t8"."status" IN ('resolved', 'closed')
          )
          AND (
            (
              CAST(EPOCH(CAST(MAKE_TIMESTAMP(now) AS TIMESTAMP)) - EPOCH(CAST("t8"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 3600.0
            ) > CASE
              WHEN "t8"."priority" = 'urgent'
              THEN 1.0
              WHEN "t8"."priority" = 'high'
              THEN 4.0
              WHEN "t8"."priority" = 'normal'
              THEN 8.0
              WHEN "t8"."priority" = 'low'
              THEN 24.0
              ELSE CAST(NULL AS DOUBLE)
            END
          )
        )
      ),
      FALSE
    )) AS "sla_first_response__n",
  COUNT(*) FILTER(WHERE
    COALESCE(
      (
        CASE
          WHEN "t8"."priority" = 'urgent'
          THEN 1.0
          WHEN "t8"."priority" = 'high'
          THEN 4.0
          WHEN "t8"."priority" = 'normal'
          THEN 8.0
          WHEN "t8"."priority" = 'low'
          THEN 24.0
          ELSE CAST(NULL AS DOUBLE)
        END IS NOT NULL
      )
      AND (
        (
          "t8"."first_response_at" IS NOT NULL
        )
        OR (
          NOT (
            "t8"."status" IN ('resolved', 'closed')
          )
          AND (
            (
              CAST(EPOCH(CAST(MAKE_TIMESTAMP(now) AS TIMESTAMP)) - EPOCH(CAST("t8"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 3600.0
            ) > CASE
              WHEN "t8"."priority" = 'urgent'
              THEN 1.0
              WHEN "t8"."priority" = 'high'
              THEN 4.0
              WHEN "t8"."priority" = 'normal'
              THEN 8.0
              WHEN "t8"."priority" = 'low'
              THEN 24.0
              ELSE CAST(NULL AS DOUBLE)
            END
          )
        )
      ),
      FALSE
    )
    AND COALESCE(
      (
        "t8"."first_response_at" IS NOT NULL
      )
      AND (
        (
          CAST(EPOCH(CAST("t8"."first_response_at" AS TIMESTAMP)) - EPOCH(CAST("t8"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 3600.0
        ) <= CASE
          WHEN "t8"."priority" = 'urgent'
          THEN 1.0
          WHEN "t8"."priority" = 'high'
          THEN 4.0
          WHEN "t8"."priority" = 'normal'
          THEN 8.0
          WHEN "t8"."priority" = 'low'
          THEN 24.0
          ELSE CAST(NULL AS DOUBLE)
        END
      ),
      FALSE
    )) AS "sla_first_response__successes"
FROM (
  SELECT
    "t7"."first_response_at",
    "t7"."opened_at",
    "t7"."priority",
    "t7"."status",
    "t7"."account_id",
    "t7"."segment",
    (
      (
        EXTRACT(year FROM "t7"."opened_at") * 12
      ) + EXTRACT(month FROM "t7"."opened_at")
    ) - 1 AS "period"
  FROM (
    SELECT
      "t6".*
      EXCLUDE ("_acc_id")
    FROM (
      SELECT
        "t5"."first_response_at",
        "t5"."opened_at",
        "t5"."priority",
        "t5"."status",
        "t5"."account_id",
        "t3"."_acc_id",
        "t3"."segment"
      FROM (
        SELECT
          "t0"."first_response_at",
          "t0"."opened_at",
          "t0"."priority",
          "t0"."status",
          "t0"."account_id"
        FROM "tickets" AS "t0"
        WHERE
          COALESCE(
            (
              CASE
                WHEN "t0"."priority" = 'urgent'
                THEN 1.0
                WHEN "t0"."priority" = 'high'
                THEN 4.0
                WHEN "t0"."priority" = 'normal'
                THEN 8.0
                WHEN "t0"."priority" = 'low'
                THEN 24.0
                ELSE CAST(NULL AS DOUBLE)
              END IS NOT NULL
            )
            AND (
              (
                "t0"."first_response_at" IS NOT NULL
              )
              OR (
                NOT (
                  "t0"."status" IN ('resolved', 'closed')
                )
                AND (
                  (
                    CAST(EPOCH(CAST(MAKE_TIMESTAMP(now) AS TIMESTAMP)) - EPOCH(CAST("t0"."opened_at" AS TIMESTAMP)) AS DOUBLE) / 3600.0
                  ) > CASE
                    WHEN "t0"."priority" = 'urgent'
                    THEN 1.0
                    WHEN "t0"."priority" = 'high'
                    THEN 4.0
                    WHEN "t0"."priority" = 'normal'
                    THEN 8.0
                    WHEN "t0"."priority" = 'low'
                    THEN 24.0
                    ELSE CAST(NULL AS DOUBLE)
                  END
                )
              )
            ),
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
