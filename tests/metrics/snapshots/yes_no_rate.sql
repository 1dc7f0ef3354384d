-- yes_no_rate: sufficient statistics per group
SELECT
  "t8"."segment",
  "t8"."period",
  "t8"."kind",
  COUNT(*) FILTER(WHERE
    TRUE) AS "yes_no_rate__n",
  COUNT(*) FILTER(WHERE
    TRUE AND (
      "t8"."score" >= 1
    )) AS "yes_no_rate__successes"
FROM (
  SELECT
    "t7"."kind",
    "t7"."score",
    "t7"."responded_at",
    "t7"."account_id",
    "t7"."segment",
    (
      (
        EXTRACT(year FROM "t7"."responded_at") * 12
      ) + EXTRACT(month FROM "t7"."responded_at")
    ) - 1 AS "period"
  FROM (
    SELECT
      "t6".*
      EXCLUDE ("_acc_id")
    FROM (
      SELECT
        "t5"."kind",
        "t5"."score",
        "t5"."responded_at",
        "t5"."account_id",
        "t4"."_acc_id",
        "t4"."segment"
      FROM (
        SELECT
          "t0"."kind",
          "t0"."score",
          "t0"."responded_at",
          "t0"."account_id"
        FROM "responses" AS "t0"
        WHERE
          "t0"."kind" = 'yes_no'
      ) AS "t5"
      LEFT OUTER JOIN (
        SELECT
          "t1"."account_id" AS "_acc_id",
          "t1"."segment"
        FROM "accounts" AS "t1"
      ) AS "t4"
        ON "t5"."account_id" = "t4"."_acc_id"
    ) AS "t6"
  ) AS "t7"
) AS "t8"
GROUP BY
  1,
  2,
  3;
