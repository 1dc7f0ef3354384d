-- response_rate: sufficient statistics per group
SELECT
  "t8"."segment",
  "t8"."period",
  COUNT(*) FILTER(WHERE
    TRUE) AS "response_rate__n",
  COUNT(*) FILTER(WHERE
    TRUE AND (
      "t8"."answered" = TRUE
    )) AS "response_rate__successes"
FROM (
  SELECT
    "t7"."answered",
    "t7"."invited_at",
    "t7"."account_id",
    "t7"."segment",
    (
      (
        EXTRACT(year FROM "t7"."invited_at") * 12
      ) + EXTRACT(month FROM "t7"."invited_at")
    ) - 1 AS "period"
  FROM (
    SELECT
      "t6".*
      EXCLUDE ("_acc_id")
    FROM (
      SELECT
        "t4"."answered",
        "t4"."invited_at",
        "t4"."account_id",
        "t5"."_acc_id",
        "t5"."segment"
      FROM (
        SELECT
          "t0"."answered",
          "t0"."invited_at",
          "t0"."account_id"
        FROM "invitations" AS "t0"
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
) AS "t8"
GROUP BY
  1,
  2;
