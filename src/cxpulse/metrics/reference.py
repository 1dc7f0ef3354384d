"""The metrics reference, generated from the definitions: what each indicator counts, its edge
cases, its statistic and interval, and an example. ``docs/metrics.md`` is
:func:`render_markdown` (``python scripts/metrics_docs.py``); ``cxpulse metrics describe
NAME`` prints :func:`describe` in Spanish or English.

>>> "## `nps`" in render_markdown()
True
>>> describe("csat", "en").splitlines()[0]
'csat — CSAT (top-2-box)'
"""

from __future__ import annotations

from pathlib import Path

from cxpulse.config import CANCELLATION_STATUSES, MetricsConfig
from cxpulse.metrics.definitions import Condition, MetricDefinition, get_definition
from cxpulse.metrics.definitions import list_definitions as _definitions

Text = tuple[str, str]  # (es, en)

STATISTICS: dict[str, Text] = {
    "nps": (
        "% promotores (9-10) menos % detractores (0-6). Intervalo de score de Tango para la "
        "diferencia de dos proporciones de una misma muestra trinomial: no colapsa cuando todas "
        "las respuestas caen en una categoría (cinco 10 dan [13,1, 100]).",
        "% promoters (9-10) minus % detractors (0-6). Tango's score interval for the difference "
        "of two shares of one trinomial sample: it does not collapse when every answer falls in "
        "one category (five 10s give [13.1, 100]).",
    ),
    "proportion": (
        "Aciertos / n. Intervalo de Wilson; exacto de Clopper-Pearson con n < 30 o con menos de "
        "5 aciertos o fallos, donde Wilson cubre menos de lo nominal.",
        "Successes / n. Wilson score interval; exact Clopper-Pearson when n < 30 or with fewer "
        "than 5 successes or failures, where Wilson covers less than nominal.",
    ),
    "mean": (
        "Media aritmética; intervalo t de Student (sin intervalo con n = 1).",
        "Arithmetic mean; Student t interval (no interval with n = 1).",
    ),
    "quantile": (
        "Mediana (y p90); intervalo sin supuestos de distribución a partir de estadísticos de "
        "orden observados.",
        "Median (and p90); distribution-free interval from observed order statistics.",
    ),
    "churn": (
        "Cuentas activas al inicio del periodo que terminaron en él, sobre las activas al "
        "inicio; intervalo como las proporciones.",
        "Accounts active at period start that ended within it, over those active at its start; "
        "interval as for proportions.",
    ),
    "cohort": (
        "Por cohorte (mes de alta) y meses desde el alta k: cuentas sin fecha de baja al final "
        "del mes k / tamaño de la cohorte; intervalo como las proporciones.",
        "Per start-month cohort and months since start k: accounts without an end date by the "
        "end of month k / cohort size; interval as for proportions.",
    ),
    "revenue_retention": (
        "Suma sobre cuentas de lo facturado ahora (limitado a lo de antes en GRR) / lo facturado "
        "el periodo anterior; intervalo por el método delta (razón de sumas, t).",
        "Sum over accounts of revenue now (capped at the previous revenue for GRR) / revenue the "
        "period before; delta-method interval (ratio of sums, t).",
    ),
    "repeat_purchase": (
        "Clientes con una compra en el periodo que hicieron dos o más / clientes con una compra; "
        "intervalo como las proporciones.",
        "Customers with a purchase in the period who made two or more / customers with a "
        "purchase; interval as for proportions.",
    ),
    "returning": (
        "Compradores del periodo cuya primera compra (en todos los datos) fue antes de que "
        "empezara / compradores del periodo; intervalo como las proporciones. Necesita periodos "
        "(--grain o --from).",
        "Buyers of the period whose first purchase (in all the data) was before it began / "
        "buyers of the period; interval as for proportions. Needs periods (--grain or --from).",
    ),
    "purchase_cohort": (
        "Por cohorte (mes de la primera compra) y k = 0..24: clientes con una compra en el mes k "
        "/ tamaño de la cohorte (k = 0 es 100 %); solo meses ya observados; intervalo como las "
        "proporciones.",
        "Per first-purchase month cohort and k = 0..24: customers with a purchase in month k / "
        "cohort size (k = 0 is 100 %); only months already observed; interval as for "
        "proportions.",
    ),
    "activity_cohort": (
        "Por cohorte (mes del primer evento de uso de la cuenta) y k = 0..24: cuentas con algún "
        "evento en el mes k / tamaño de la cohorte (k = 0 es 100 %); solo meses ya observados; "
        "intervalo como las proporciones.",
        "Per first-activity month cohort (the account's first usage event) and k = 0..24: "
        "accounts with any event in month k / cohort size (k = 0 is 100 %); only months already "
        "observed; interval as for proportions.",
    ),
    "cohort_repeat": (
        "Por cohorte (mes de la primera compra): clientes con una segunda compra hasta el final "
        "de los datos / tamaño de la cohorte. Las cohortes recientes han tenido menos tiempo.",
        "Per first-purchase month cohort: customers with a second purchase by the end of the "
        "data / cohort size. Recent cohorts have had less time.",
    ),
    "customer_total": (
        "Suma de los importes netos por cliente; intervalo: número de clientes x intervalo t de "
        "la media por cliente (los clientes como muestra de un proceso, no del total contable).",
        "Sum of the per-customer net amounts; interval: customers x the Student t interval of "
        "the per-customer mean (customers as a sample of a process, not of the book total).",
    ),
    "customer_ratio": (
        "Suma de ingresos de compras / compras con importe, sumados por cliente; intervalo por el "
        "método delta con el cliente como unidad (sus pedidos no son independientes).",
        "Purchase revenue / purchases with an amount, summed per customer; delta-method "
        "interval with the customer as the unit (a customer's orders are not independent).",
    ),
    "customer_mean": (
        "Media de compras por cliente que compró en el periodo; intervalo t de Student.",
        "Mean purchases per customer who bought in the period; Student t interval.",
    ),
    "open_count": (
        "Tickets abiertos al final de cada periodo; intervalo exacto de Poisson (Garwood).",
        "Tickets open at each period end; exact Poisson (Garwood) interval.",
    ),
    "rate": (
        "Eventos / (cuentas activas x meses); intervalo exacto de Poisson (Garwood).",
        "Events / (active accounts x months); exact Poisson (Garwood) interval.",
    ),
}

COMMON: dict[str, Text] = {
    "time": (
        "Las fechas se comparan tal como están guardadas (la zona horaria la fija la carga; "
        "los periodos van del primer día incluido al siguiente excluido; semanas ISO, lunes).",
        "Dates are compared as stored (loading fixes the time zone); periods run from their "
        "first day included to the next one excluded; ISO weeks start on Monday.",
    ),
    "missing": (
        "Las filas sin el valor medido no cuentan (faltar no es cero).",
        "Rows without the measured value do not count (missing is not zero).",
    ),
    "small": (
        "Con menos de [metrics] small_sample_n observaciones (30) la fila se marca como muestra "
        "pequeña; el nivel de confianza es [metrics] confidence.",
        "With fewer than [metrics] small_sample_n observations (30) the row is flagged as a "
        "small sample; the confidence level is [metrics] confidence.",
    ),
}

ORDERS_NOTE: Text = (
    "Compra: pedido con estado en [metrics] purchase_statuses (completed, paid, delivered, "
    "shipped, fulfilled o vacío; sin distinguir mayúsculas ni espacios). Nunca son compras: "
    f"{', '.join(CANCELLATION_STATUSES)}. Otros estados (pending...) no cuentan.",
    "Purchase: an order whose status is in [metrics] purchase_statuses (completed, paid, "
    "delivered, shipped, fulfilled or empty; ignoring case and spaces). Never purchases: "
    f"{', '.join(CANCELLATION_STATUSES)}. Other statuses (pending...) count for nothing.",
)

NOTES: dict[str, tuple[Text, ...]] = {
    "net_revenue": (
        (
            "Las cancelaciones se restan por su valor absoluto, tenga el importe el signo que "
            "tenga; los pedidos sin importe no suman y se informan en orders_without_amount.",
            "Cancellations are subtracted at their absolute value whatever the sign of the "
            "amount; orders without an amount add nothing and are reported in "
            "orders_without_amount.",
        ),
    ),
    "average_order_value": (
        (
            "Solo compras con importe; las cancelaciones no entran.",
            "Only purchases with an amount; cancellations are left out.",
        ),
    ),
    "account_retention": (
        (
            "Solo lee accounts.start_date y end_date. Si ninguna cuenta tiene end_date y hay "
            "pedidos, se niega (sería 100 % por construcción): usa purchase_retention. Antes se "
            "llamaba retention_cohort (el nombre sigue funcionando).",
            "Reads only accounts.start_date and end_date. When no account has an end_date and "
            "orders exist it refuses (it would be 100 % by construction): use "
            "purchase_retention. Formerly retention_cohort (the name still works).",
        ),
    ),
    "sla_first_response": (
        (
            "Los tickets cerrados sin fecha de primera respuesta no se juzgan; los abiertos sin "
            "respuesta cuentan como incumplidos cuando su objetivo ya pasó en el momento de la "
            "consulta. Prioridades sin objetivo no se juzgan.",
            "Tickets closed without a first-response time are not judged; open unanswered ones "
            "count as breaches once their target has passed at the time of the query. "
            "Priorities without a target are not judged.",
        ),
    ),
    "sla_resolution": (
        (
            "Los tickets cerrados sin fecha de resolución no se juzgan; los abiertos cuentan "
            "como incumplidos cuando su objetivo ya pasó en el momento de la consulta.",
            "Tickets closed without a resolution time are not judged; open ones count as "
            "breaches once their target has passed at the time of the query.",
        ),
    ),
    "response_rate": (
        (
            "Invitaciones enviadas en el periodo (invited_at: envío o creación) con respuesta / "
            "invitaciones enviadas; las respuestas sin invitación (importadas, API) no cuentan. "
            "Las invitaciones recientes aún pueden responderse: el último periodo sube con el "
            "tiempo. Por encuesta o canal: --by survey_id / --by channel. Se llena al "
            "sincronizar (cxpulse responses sync) o cargando invitations desde un archivo.",
            "Invitations sent in the period (invited_at: sent, or created) that were answered / "
            "invitations sent; answers without an invitation (imported, API) do not count. "
            "Recent invitations may still be answered: the last period rises with time. By "
            "survey or channel: --by survey_id / --by channel. Filled by the sync (cxpulse "
            "responses sync) or by loading invitations from a file.",
        ),
    ),
    "yes_no_rate": (
        (
            "Respuestas de kind yes_no con score 1 (sí) o 0 (no), p. ej. «¿Resolvimos tu "
            "problema?». Al cargar un archivo con sí/no, tradúcelos con las opciones de lectura: "
            '[tables.responses] constants = {kind = "yes_no"} y values.score = {"sí" = '
            '"1", "no" = "0"}.',
            'Answers of kind yes_no with score 1 (yes) or 0 (no), e.g. "Did we solve your '
            'problem?". When a file says yes/no, map it with the read options: '
            '[tables.responses] constants = {kind = "yes_no"} and values.score = {"yes" = '
            '"1", "no" = "0"}.',
        ),
    ),
    "reopen_rate": (
        (
            "Tickets resueltos o cerrados (estado actual) con reopen_count informado; un ticket "
            "reabierto y aún abierto cuenta cuando se vuelve a resolver. Sin la columna "
            "reopen_count no hay filas. Zendesk: la exportación con métricas de ticket trae "
            "Reopens; cárgala con --preset zendesk --map Reopens=reopen_count.",
            "Resolved or closed tickets (current status) with reopen_count recorded; a ticket "
            "reopened and still open counts once it is resolved again. Without the reopen_count "
            "column there are no rows. Zendesk: the export with ticket metrics has Reopens; load "
            "it with --preset zendesk --map Reopens=reopen_count.",
        ),
    ),
    "activity_retention": (
        (
            "Actividad = cualquier fila de usage_events de la cuenta (sin mirar quantity). Mide "
            "uso, no contrato: para la vida de la cuenta usa account_retention; para compras, "
            "purchase_retention. Solo se puede abrir por columnas de accounts.",
            "Activity = any usage_events row of the account (quantity is not looked at). It "
            "measures use, not contract: for account lifetime use account_retention; for "
            "purchases, purchase_retention. Can only be split by accounts columns.",
        ),
    ),
    "fcr": (
        (
            "Solo tickets resueltos o cerrados con el dato informado.",
            "Only resolved or closed tickets with the value recorded.",
        ),
    ),
}

HEADINGS: dict[str, Text] = {
    "definition": ("Definición", "Definition"),
    "rows": ("Filas", "Rows"),
    "statistic": ("Estadístico e intervalo", "Statistic and interval"),
    "edge": ("Casos límite", "Edge cases"),
    "example": ("Ejemplo", "Example"),
    "unit": ("Unidad", "Unit"),
}


def _t(text: Text, lang: str) -> str:
    return text[1] if lang == "en" else text[0]


def _condition(c: Condition, lang: str) -> str:
    if c.op == "purchase":
        return "status ∈ purchase_statuses"
    if c.op == "cancellation":
        return f"status ∈ ({', '.join(CANCELLATION_STATUSES)})"
    if c.op == "purchase_or_cancellation":
        return f"status ∈ purchase_statuses ∪ ({', '.join(CANCELLATION_STATUSES)})"
    if c.op == "within":
        return f"{c.column} - {c.value} <= [metrics.sla] {c.option}[priority]"
    if c.op == "due":
        return (
            f"{c.column} recorded, or the ticket still open past [metrics.sla] {c.option}[priority]"
        )
    if c.op == "notnull":
        return f"{c.column} IS NOT NULL"
    if c.op == "true":
        return f"{c.column} = true"
    value = f"[metrics] {c.option}" if c.option else repr(c.value)
    return f"{c.column} {c.op} {value}"


def _rows(d: MetricDefinition, lang: str) -> str:
    parts = [f"`{d.table}`", f"{'period by' if lang == 'en' else 'periodo por'} `{d.time_column}`"]
    if d.filters:
        parts.append(" AND ".join(_condition(c, lang) for c in d.filters))
    if d.success is not None:
        parts.append(("success: " if lang == "en" else "acierto: ") + _condition(d.success, lang))
    if d.value_column:
        parts.append(("value: " if lang == "en" else "valor: ") + f"`{d.value_column}`")
    return "; ".join(parts)


def _edge_cases(d: MetricDefinition, lang: str) -> list[str]:
    out = []
    if d.table == "orders":
        out.append(_t(ORDERS_NOTE, lang))
    out += [_t(n, lang) for n in NOTES.get(d.name, ())]
    out += [_t(COMMON[k], lang) for k in ("missing", "time", "small")]
    return out


def _description(d: MetricDefinition, lang: str) -> str:
    return d.describe_text(lang)


def _example(d: MetricDefinition) -> str:
    grain = (
        ""
        if d.statistic in ("purchase_cohort", "cohort_repeat", "cohort", "activity_cohort")
        else " --grain month"
    )
    by = " --by segment"
    return f"cxpulse metrics show {d.name}{by}{grain}"


def describe(name: str, lang: str = "es", options: MetricsConfig | None = None) -> str:
    """The reference of one metric as plain text (what ``cxpulse metrics describe`` prints)."""
    from cxpulse.metrics.custom import resolve

    d = resolve(options, name) if options is not None else get_definition(name)
    lines = [f"{d.name} — {d.label(lang, options)}", ""]
    lines.append(f"{_t(HEADINGS['definition'], lang)}: {_description(d, lang)}")
    lines.append(f"{_t(HEADINGS['rows'], lang)}: {_rows(d, lang)}")
    lines.append(f"{_t(HEADINGS['unit'], lang)}: {d.unit}")
    lines.append(f"{_t(HEADINGS['statistic'], lang)}: {_t(STATISTICS[d.statistic], lang)}")
    lines.append(f"{_t(HEADINGS['edge'], lang)}:")
    lines += [f"  - {e}" for e in _edge_cases(d, lang)]
    lines.append(f"{_t(HEADINGS['example'], lang)}: {_example(d)}")
    return "\n".join(lines) + "\n"


def render_markdown(lang: str = "en") -> str:
    """docs/metrics.md: every definition, in display order."""
    out = [
        "# Metrics reference",
        "",
        "Generated from the metric definitions by `python scripts/metrics_docs.py`; "
        "`cxpulse metrics describe NAME` prints the same for one metric (in Spanish or "
        "English): `cxpulse metrics show NAME` keeps computing the metric as it always did, "
        "so no existing command changes meaning. Every figure carries n, its interval, the "
        "method and a small-sample flag; the interval methods are measured for coverage in "
        "tests/stats/test_coverage.py.",
        "",
        "| name | label | table | unit |",
        "|---|---|---|---|",
    ]
    for d in _definitions():
        out.append(f"| [`{d.name}`](#{d.name}) | {d.label(lang)} | `{d.table}` | {d.unit} |")
    for d in _definitions():
        out += [
            "",
            f"## `{d.name}`",
            "",
            f"**{d.label('en')}** / {d.label('es')}",
            "",
            f"- **{_t(HEADINGS['definition'], lang)}**: {_description(d, lang)}",
            f"- **{_t(HEADINGS['rows'], lang)}**: {_rows(d, lang)}",
            f"- **{_t(HEADINGS['unit'], lang)}**: {d.unit}",
            f"- **{_t(HEADINGS['statistic'], lang)}** (`{d.statistic}`): "
            f"{_t(STATISTICS[d.statistic], lang)}",
            f"- **{_t(HEADINGS['edge'], lang)}**:",
        ]
        out += [f"  - {e}" for e in _edge_cases(d, lang)]
        out += [f"- **{_t(HEADINGS['example'], lang)}**: `{_example(d)}`"]
    custom = (Path(__file__).parent / "data" / "custom_metrics.txt").read_text(encoding="utf-8")
    analyses = (Path(__file__).parent / "data" / "analyses.txt").read_text(encoding="utf-8")
    out += ["", custom.rstrip(), "", analyses.rstrip()]
    return "\n".join(out) + "\n"
