"""Vocabulary of the demo company: segments, industries, countries, people, plans, features.

Everything here is plain data; the generator draws indices into these tuples with numpy and
turns them into strings with Arrow ``take``, so no per-row Python runs on big tables.
Countries are ISO 3166-1 alpha-2 codes (names are localised at display time with Babel).
"""

from __future__ import annotations

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SEGMENT_WEIGHTS = (0.6, 0.3, 0.1)
# latent health offset per segment: larger customers are better served and stickier
SEGMENT_HEALTH = (-0.1, 0.25, 0.6)

INDUSTRIES = (
    "software",
    "retail",
    "financial services",
    "telecom",
    "healthcare",
    "education",
    "logistics",
    "manufacturing",
)
INDUSTRY_WEIGHTS = (0.22, 0.16, 0.14, 0.1, 0.1, 0.1, 0.09, 0.09)
INDUSTRY_HEALTH = (0.15, -0.15, 0.05, -0.2, 0.1, 0.0, -0.05, 0.0)

COUNTRIES = ("MX", "CO", "AR", "CL", "PE", "ES", "BR", "UY", "EC", "PT", "US")
COUNTRY_WEIGHTS = (0.22, 0.13, 0.1, 0.1, 0.07, 0.17, 0.1, 0.03, 0.03, 0.02, 0.03)
LANGUAGES = ("es", "en", "pt")
# probability of each comment language (es, en, pt) by country
COUNTRY_LANGUAGE = {
    "MX": (0.85, 0.15, 0.0),
    "CO": (0.88, 0.12, 0.0),
    "AR": (0.9, 0.1, 0.0),
    "CL": (0.88, 0.12, 0.0),
    "PE": (0.9, 0.1, 0.0),
    "ES": (0.85, 0.15, 0.0),
    "BR": (0.05, 0.15, 0.8),
    "UY": (0.88, 0.1, 0.02),
    "EC": (0.9, 0.1, 0.0),
    "PT": (0.05, 0.15, 0.8),
    "US": (0.15, 0.85, 0.0),
}

CSMS = (
    "Lucía Fernández",
    "Mateo González",
    "Valentina Rojas",
    "Santiago Pérez",
    "Camila Torres",
    "Diego Ramírez",
    "Sofía Herrera",
    "Andrés Castillo",
    "Isabella Moreno",
    "Javier Ortega",
    "Mariana Costa",
    "Emily Carter",
)
# the demo vendor's domain: its CSMs own accounts by e-mail (they sign in with it)
DEMO_DOMAIN = "andescloud.example"


def _mailbox(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ".".join(plain.lower().split()) + "@" + DEMO_DOMAIN


CSM_EMAILS = tuple(_mailbox(n) for n in CSMS)

PLANS = ("Starter", "Growth", "Business", "Enterprise")
# plan probabilities by segment (rows follow SEGMENTS)
SEGMENT_PLANS = (
    (0.6, 0.35, 0.05, 0.0),
    (0.0, 0.35, 0.55, 0.1),
    (0.0, 0.0, 0.25, 0.75),
)
PLAN_SEAT_PRICE = (12.0, 20.0, 32.0, 45.0)  # USD per seat per month
# licences: lognormal median and sigma by segment
SEGMENT_LICENSES = ((8.0, 0.5), (60.0, 0.5), (400.0, 0.6))

NAME_FIRST = (
    "Andina",
    "Austral",
    "Pacífico",
    "Cóndor",
    "Sol",
    "Río",
    "Nova",
    "Atlas",
    "Quetzal",
    "Ceiba",
    "Volcán",
    "Plata",
    "Iguazú",
    "Tierra",
    "Alba",
    "Brisa",
    "Faro",
    "Puerto",
    "Sierra",
    "Mar",
    "Luna",
    "Cumbre",
    "Jaguar",
    "Colibrí",
)
NAME_SECOND = (
    "Digital",
    "Logística",
    "Salud",
    "Finanzas",
    "Retail",
    "Educa",
    "Telecom",
    "Soluciones",
    "Labs",
    "Servicios",
    "Comercio",
    "Tech",
    "Seguros",
    "Energía",
    "Foods",
    "Capital",
)
NAME_SUFFIX = ("S.A.", "S.A. de C.V.", "S.L.", "Ltda.", "SpA", "S.A.S.", "Inc.")

FEATURES = (
    "dashboard",
    "reports",
    "search",
    "export",
    "integrations",
    "automations",
    "api",
    "alerts",
    "mobile",
    "permissions",
    "forecasting",
    "audit_log",
)

TICKET_CHANNELS = ("email", "chat", "phone", "web")
TICKET_CHANNEL_WEIGHTS = (0.4, 0.3, 0.15, 0.15)
TICKET_CATEGORIES = (
    "billing",
    "bug",
    "how-to",
    "performance",
    "access",
    "onboarding",
    "integration",
)
TICKET_CATEGORY_WEIGHTS = (0.12, 0.22, 0.25, 0.12, 0.1, 0.09, 0.1)
PRIORITIES = ("low", "normal", "high", "urgent")

SURVEY_CHANNELS = ("email", "web", "in-app", "whatsapp")
SURVEY_CHANNEL_WEIGHTS = (0.45, 0.2, 0.25, 0.1)
# touchpoint of a survey by kind (nps, csat, ces)
SURVEY_TOUCHPOINTS = ("relationship", "support", "onboarding", "product")
KIND_TOUCHPOINT_WEIGHTS = (
    (0.85, 0.05, 0.05, 0.05),
    (0.05, 0.65, 0.2, 0.1),
    (0.0, 0.55, 0.15, 0.3),
)

ORDER_STATUSES = ("completed", "cancelled", "refunded")

TOUCHPOINT_KINDS = ("email", "call", "meeting", "qbr", "training")
SEGMENT_TOUCHPOINT_WEIGHTS = (
    (0.5, 0.3, 0.12, 0.0, 0.08),
    (0.3, 0.3, 0.25, 0.08, 0.07),
    (0.15, 0.2, 0.35, 0.2, 0.1),
)
SEGMENT_TOUCHPOINT_RATE = (0.4, 1.0, 2.5)  # relative contact intensity
