"""A seed catalogue of customer-experience themes with keywords in Spanish, English, Portuguese.

Clusters found in comments are named after a catalogue theme when its keywords are frequent in
the cluster (and more frequent than in the other comments). Keywords are word beginnings
without accents, so ``entreg`` matches "entrega", "entregue", "entregó".

>>> matching_themes("La factura vino con un cobro duplicado")
['billing']
>>> theme_name("delivery", "es")
'Entrega'
"""

from __future__ import annotations

from dataclasses import dataclass

from cxpulse.locale import gettext
from cxpulse.text.words import tokenize


@dataclass(frozen=True)
class CatalogTheme:
    """A known CX theme: a key (``text.theme.<key>`` names it in es/en) and its keywords."""

    key: str
    keywords: tuple[str, ...]

    def matches(self, tokens: list[str]) -> bool:
        return any(_hit(token, kw) for token in tokens for kw in self.keywords)


def _hit(token: str, keyword: str) -> bool:
    # Short keywords must match whole words ("bug" but not "bugiganga").
    return token == keyword if len(keyword) <= 4 else token.startswith(keyword)


def _kw(*words: str) -> tuple[str, ...]:
    return tuple(w for group in words for w in group.split())


CATALOG: tuple[CatalogTheme, ...] = (
    CatalogTheme(
        "price",
        _kw(
            "precio caro cara caros costoso barato econom tarifa",  # es
            "price pricing expensive cheap cost costly overpriced afford",  # en
            "preco preço valor custo barat",  # pt
        ),
    ),
    CatalogTheme(
        "billing",
        _kw(
            "factura cobro cobrar cobraron cobran tarjeta pago pagos reembols",
            "invoice billing bill billed charge charged payment refund",
            "fatura cobranc cobrado boleto pagamento estorno reembols",
        ),
    ),
    CatalogTheme(
        "support",
        _kw(
            "soporte atencion agente ejecutivo asesor respuesta responder llamada ticket",
            "support service agent helpdesk answer answered response ticket call",
            "suporte atendimento atendente sac resposta responder contato",
        ),
    ),
    CatalogTheme(
        "onboarding",
        _kw(
            "implementacion capacitacion induccion configuracion instalacion arranque",
            "onboarding setup training implementation installation kickoff",
            "implantacao treinamento configuracao instalacao",
        ),
    ),
    CatalogTheme(
        "bugs",
        _kw(
            "error errores falla fallo bug bugs cuelga colgado caida traba",
            "error errors bug bugs crash crashes glitch broken freeze",
            "erro erros falha bug bugs trava travando travou",
        ),
    ),
    CatalogTheme(
        "ease_of_use",
        _kw(
            "facil dificil intuitiv usar complicad confus sencill interfaz",
            "easy hard intuitive use usability confusing complicated interface",
            "facil dificil intuitiv usar complicad confus simples interface",
        ),
    ),
    CatalogTheme(
        "performance",
        _kw(
            "lento lenta lentitud rendimiento velocidad carga tarda demora",
            "slow performance speed loading load lag latency",
            "lento lenta lentidao desempenho velocidade carregar demora",
        ),
    ),
    CatalogTheme(
        "delivery",
        _kw(
            "entreg envio envío pedido llego llegó despacho paquete correo plazo",
            "delivery delivered shipping shipped arrived package order courier",
            "entreg chegou chegada prazo pedido correio frete receb",
        ),
    ),
    CatalogTheme(
        "product_quality",
        _kw(
            "calidad defecto defectuoso roto rota danado material",
            "quality defective broken damaged material",
            "qualidade defeito quebrad danificad material",
        ),
    ),
    CatalogTheme(
        "features",
        _kw(
            "funcionalidad funcion integracion reporte informe opcion",
            "feature features functionality integration report reports option",
            "funcionalidade funcao integracao relatorio opcao recurso",
        ),
    ),
    CatalogTheme(
        "returns",
        _kw(
            "devolucion devoluciones devolver devolvi cambiarlo garantia",
            "return returned returns exchange warranty",
            "troca trocar devolucao devolver devolvi garantia",
        ),
    ),
    CatalogTheme(
        "wrong_item",
        _kw(
            "incorrecto equivocado faltaba faltan falto incompleto",
            "wrong missing incomplete",
            "errado errada faltando faltou faltaram incompleto incompleta",
        ),
    ),
    CatalogTheme(
        "seller",
        _kw(
            "tienda vendedor vendedora comercio", "store seller shop", "loja lojas vendedor lojista"
        ),
    ),
    CatalogTheme(
        "praise",
        _kw(
            "recomiendo recomendable recomendaria excelente genial felicit gracias encanta",
            "recommend recommended excellent great awesome thanks love loved",
            "recomendo recomendaria excelente otimo otima parabens obrigad amei adorei "
            "gostei lindo perfeito satisfeit bom boa",
        ),
    ),
)

BY_KEY: dict[str, CatalogTheme] = {t.key: t for t in CATALOG}


def matching_themes(text: str, catalog: tuple[CatalogTheme, ...] = CATALOG) -> list[str]:
    """Keys of the catalogue themes whose keywords appear in ``text``."""
    tokens = tokenize(text)
    return [t.key for t in catalog if t.matches(tokens)]


def theme_name(key: str, lang: str = "es") -> str:
    """The readable name of a catalogue theme in ``lang`` (es or en); a pair of themes that
    together cover a cluster (key ``"a+b"``) is named by both ("Calidad del producto ·
    Cambios y devoluciones")."""
    return " · ".join(gettext(f"text.theme.{part}", lang) for part in key.split("+"))
