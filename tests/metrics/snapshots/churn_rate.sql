-- churn_rate: accounts at risk and churned per period
SELECT
  "t5"."segment",
  "t5"."_p_start",
  COUNT(*) FILTER(WHERE
    (
      "t5"."start_date" < "t5"."_p_start"
    )
    AND NOT (
      (
        "t5"."end_date" IS NOT NULL
      ) AND (
        "t5"."end_date" < "t5"."_p_start"
      )
    )) AS "n",
  COUNT(*) FILTER(WHERE
    (
      "t5"."start_date" < "t5"."_p_start"
    )
    AND NOT (
      (
        "t5"."end_date" IS NOT NULL
      ) AND (
        "t5"."end_date" < "t5"."_p_start"
      )
    )
    AND (
      "t5"."end_date" IS NOT NULL
    )
    AND (
      "t5"."end_date" < "t5"."_p_end"
    )) AS "successes"
FROM (
  SELECT
    "t4"."segment",
    "t4"."start_date",
    "t4"."end_date",
    "t2"."_p_start",
    "t2"."_p_end",
    "t2"."_p_months"
  FROM (
    SELECT
      "t0"."segment",
      "t0"."start_date",
      "t0"."end_date"
    FROM "accounts" AS "t0"
  ) AS "t4"
  CROSS JOIN "calendar_memtable" AS "t2"
) AS "t5"
GROUP BY
  1,
  2;
