-- churn_rate: accounts at risk and churned per period
SELECT
  "t4"."segment",
  "t4"."_p_start",
  COUNT(*) FILTER(WHERE
    (
      "t4"."start_date" < "t4"."_p_start"
    )
    AND NOT (
      (
        "t4"."end_date" IS NOT NULL
      ) AND (
        "t4"."end_date" < "t4"."_p_start"
      )
    )) AS "n",
  COUNT(*) FILTER(WHERE
    (
      "t4"."start_date" < "t4"."_p_start"
    )
    AND NOT (
      (
        "t4"."end_date" IS NOT NULL
      ) AND (
        "t4"."end_date" < "t4"."_p_start"
      )
    )
    AND (
      "t4"."end_date" IS NOT NULL
    )
    AND (
      "t4"."end_date" < "t4"."_p_end"
    )) AS "successes"
FROM (
  SELECT
    "t2"."account_id",
    "t2"."name",
    "t2"."segment",
    "t2"."industry",
    "t2"."country",
    "t2"."owner",
    "t2"."plan",
    "t2"."start_date",
    "t2"."end_date",
    "t2"."mrr",
    "t2"."licenses",
    "t3"."_p_start",
    "t3"."_p_end",
    "t3"."_p_months"
  FROM "accounts" AS "t2"
  CROSS JOIN "calendar_memtable" AS "t3"
) AS "t4"
GROUP BY
  1,
  2;
