-- account_retention: cohort size and retained accounts by months since start
SELECT
  "t6"."segment",
  "t6"."_s",
  "t6"."months_since_start",
  COUNT(*) AS "n",
  COUNT(*) FILTER(WHERE
    (
      "t6"."_e" IS NULL
    )
    OR (
      "t6"."_e" > (
        "t6"."_s" + "t6"."months_since_start"
      )
    )) AS "successes"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t4"."account_id",
      "t4"."name",
      "t4"."segment",
      "t4"."industry",
      "t4"."country",
      "t4"."owner",
      "t4"."plan",
      "t4"."start_date",
      "t4"."end_date",
      "t4"."mrr",
      "t4"."licenses",
      "t4"."_s",
      "t4"."_e",
      "t2"."months_since_start"
    FROM (
      SELECT
        "t0"."account_id",
        "t0"."name",
        "t0"."segment",
        "t0"."industry",
        "t0"."country",
        "t0"."owner",
        "t0"."plan",
        "t0"."start_date",
        "t0"."end_date",
        "t0"."mrr",
        "t0"."licenses",
        (
          (
            EXTRACT(year FROM "t0"."start_date") * 12
          ) + EXTRACT(month FROM "t0"."start_date")
        ) - 1 AS "_s",
        (
          (
            EXTRACT(year FROM "t0"."end_date") * 12
          ) + EXTRACT(month FROM "t0"."end_date")
        ) - 1 AS "_e"
      FROM "accounts" AS "t0"
    ) AS "t4"
    CROSS JOIN "calendar_memtable" AS "t2"
  ) AS "t5"
  WHERE
    (
      "t5"."_s" + "t5"."months_since_start"
    ) <= 0
) AS "t6"
GROUP BY
  1,
  2,
  3;
