"""Comment phrase banks of the demo company, by language, theme and sentiment.

A generated comment is one phrase chosen by (language, theme, sentiment, variant); the
sentiment follows the score (a detractor writes a negative phrase), so a text analyser run on
the demo has a known answer: the theme and the polarity each comment was drawn from.
``COMMENTS`` is the flat tuple; :func:`comment_index` gives the position of a combination.
"""

from __future__ import annotations

import numpy as np

THEMES = ("price", "support", "onboarding", "bugs", "ease_of_use", "billing", "performance")
SENTIMENTS = ("negative", "neutral", "positive")
VARIANTS = 3

# (language) -> theme -> (negative, neutral, positive) -> VARIANTS phrases
_BANK: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "es": {
        "price": (
            (
                "El precio es demasiado alto para lo que ofrece.",
                "Subieron la tarifa otra vez y no vemos el valor.",
                "Es caro comparado con otras alternativas del mercado.",
            ),
            (
                "El precio es razonable, aunque podría ser más flexible.",
                "La tarifa está bien, esperamos más funciones por el mismo precio.",
                "Precio aceptable, nada especial.",
            ),
            (
                "Excelente relación calidad-precio.",
                "Vale cada peso que pagamos.",
                "El precio es justo y el retorno se nota.",
            ),
        ),
        "support": (
            (
                "El soporte tarda días en responder y nadie resuelve nada.",
                "Pésima atención, tuve que escalar el caso tres veces.",
                "El equipo de soporte no entiende nuestro problema.",
            ),
            (
                "El soporte responde, aunque a veces tarda un poco.",
                "La atención es correcta, sin más.",
                "Resolvieron el caso, pero hubo que insistir.",
            ),
            (
                "El equipo de soporte es rápido y muy amable.",
                "Excelente atención, resolvieron todo en la primera llamada.",
                "Muy buen soporte, siempre disponibles.",
            ),
        ),
        "onboarding": (
            (
                "La implementación fue un caos y nadie nos acompañó.",
                "La puesta en marcha tomó meses, muy frustrante.",
                "Faltó capacitación al inicio, el equipo sigue perdido.",
            ),
            (
                "La implementación fue aceptable, algo lenta.",
                "La capacitación inicial estuvo bien, faltaron ejemplos.",
                "El arranque fue normal.",
            ),
            (
                "La implementación fue rápida y muy bien guiada.",
                "Excelente acompañamiento en la puesta en marcha.",
                "La capacitación fue clara, el equipo quedó listo en días.",
            ),
        ),
        "bugs": (
            (
                "La plataforma tiene demasiados errores, se cae seguido.",
                "Cada actualización rompe algo, perdimos datos.",
                "Hay fallos que reportamos hace meses y siguen ahí.",
            ),
            (
                "Hay algunos errores menores, nada grave.",
                "De vez en cuando aparece un fallo, pero se resuelve.",
                "La estabilidad es aceptable.",
            ),
            (
                "La plataforma es muy estable, casi sin errores.",
                "Las actualizaciones funcionan perfecto.",
                "Nunca tuvimos una caída, muy confiable.",
            ),
        ),
        "ease_of_use": (
            (
                "Es muy difícil de usar, nadie en el equipo lo entiende.",
                "La interfaz es confusa y poco intuitiva.",
                "Demasiados pasos para tareas simples.",
            ),
            (
                "Es fácil de usar una vez que te acostumbras.",
                "La interfaz es correcta, podría ser más simple.",
                "Se usa bien, aunque algunos menús confunden.",
            ),
            (
                "Muy fácil de usar, el equipo lo adoptó enseguida.",
                "La interfaz es clara e intuitiva.",
                "Simple y práctico, nos ahorra mucho tiempo.",
            ),
        ),
        "billing": (
            (
                "Nos cobraron de más y la factura llegó con errores.",
                "La facturación es un desastre, cobros duplicados.",
                "No logramos que corrijan la factura.",
            ),
            (
                "La facturación funciona, aunque los detalles son confusos.",
                "Las facturas llegan bien, a veces tarde.",
                "El proceso de cobro es normal.",
            ),
            (
                "La facturación es clara y siempre puntual.",
                "Nunca tuvimos un problema con los cobros.",
                "Las facturas son transparentes y fáciles de entender.",
            ),
        ),
        "performance": (
            (
                "El sistema es muy lento, los reportes no cargan.",
                "Todo tarda muchísimo, afecta nuestra operación.",
                "La plataforma se pone lentísima en horario pico.",
            ),
            (
                "El rendimiento es aceptable, a veces algo lento.",
                "Los reportes grandes tardan un poco.",
                "La velocidad es normal.",
            ),
            (
                "El sistema es rapidísimo, los reportes cargan al instante.",
                "Excelente rendimiento incluso con mucho volumen.",
                "Muy ágil, nunca tenemos que esperar.",
            ),
        ),
    },
    "en": {
        "price": (
            (
                "The price is too high for what it offers.",
                "They raised the fee again and we don't see the value.",
                "It is expensive compared with other options.",
            ),
            (
                "The price is reasonable, though it could be more flexible.",
                "Pricing is fine; we expect more features for the same price.",
                "Acceptable price, nothing special.",
            ),
            (
                "Great value for money.",
                "Worth every dollar we pay.",
                "Fair price and the return is clear.",
            ),
        ),
        "support": (
            (
                "Support takes days to answer and nobody fixes anything.",
                "Terrible service, I had to escalate the case three times.",
                "The support team does not understand our problem.",
            ),
            (
                "Support answers, although sometimes slowly.",
                "Service is okay, nothing more.",
                "They solved the case, but we had to insist.",
            ),
            (
                "The support team is fast and very friendly.",
                "Excellent service, they solved everything on the first call.",
                "Great support, always available.",
            ),
        ),
        "onboarding": (
            (
                "Onboarding was chaotic and nobody guided us.",
                "Setup took months, very frustrating.",
                "There was no training at the start and the team is still lost.",
            ),
            (
                "Onboarding was acceptable, a bit slow.",
                "The initial training was fine, it lacked examples.",
                "The kickoff was normal.",
            ),
            (
                "Onboarding was quick and very well guided.",
                "Excellent help during setup.",
                "Training was clear and the team was ready in days.",
            ),
        ),
        "bugs": (
            (
                "The platform has too many bugs and crashes often.",
                "Every update breaks something, we lost data.",
                "Bugs we reported months ago are still there.",
            ),
            (
                "There are a few minor bugs, nothing serious.",
                "A bug shows up now and then, but it gets fixed.",
                "Stability is acceptable.",
            ),
            (
                "The platform is very stable, almost bug free.",
                "Updates work perfectly.",
                "We never had an outage, very reliable.",
            ),
        ),
        "ease_of_use": (
            (
                "It is very hard to use, nobody on the team understands it.",
                "The interface is confusing and not intuitive.",
                "Too many steps for simple tasks.",
            ),
            (
                "It is easy to use once you get used to it.",
                "The interface is fine, it could be simpler.",
                "Works well, although some menus are confusing.",
            ),
            (
                "Very easy to use, the team adopted it right away.",
                "The interface is clear and intuitive.",
                "Simple and practical, it saves us a lot of time.",
            ),
        ),
        "billing": (
            (
                "We were overcharged and the invoice had errors.",
                "Billing is a mess, duplicate charges.",
                "We cannot get them to correct the invoice.",
            ),
            (
                "Billing works, although the details are confusing.",
                "Invoices arrive fine, sometimes late.",
                "The payment process is normal.",
            ),
            (
                "Billing is clear and always on time.",
                "We never had a problem with charges.",
                "Invoices are transparent and easy to understand.",
            ),
        ),
        "performance": (
            (
                "The system is very slow, reports do not load.",
                "Everything takes forever, it hurts our operation.",
                "The platform gets extremely slow at peak hours.",
            ),
            (
                "Performance is acceptable, sometimes a bit slow.",
                "Large reports take a while.",
                "Speed is normal.",
            ),
            (
                "The system is really fast, reports load instantly.",
                "Excellent performance even with high volume.",
                "Very responsive, we never have to wait.",
            ),
        ),
    },
    "pt": {
        "price": (
            (
                "O preço é alto demais para o que oferece.",
                "Aumentaram a tarifa de novo e não vemos valor.",
                "É caro comparado com outras opções.",
            ),
            (
                "O preço é razoável, mas poderia ser mais flexível.",
                "A tarifa está ok, esperamos mais recursos pelo mesmo preço.",
                "Preço aceitável, nada demais.",
            ),
            (
                "Ótimo custo-benefício.",
                "Vale cada real que pagamos.",
                "Preço justo e o retorno é claro.",
            ),
        ),
        "support": (
            (
                "O suporte demora dias para responder e ninguém resolve nada.",
                "Atendimento péssimo, tive que escalar o chamado três vezes.",
                "A equipe de suporte não entende o nosso problema.",
            ),
            (
                "O suporte responde, mas às vezes demora.",
                "O atendimento é correto, nada mais.",
                "Resolveram o chamado, mas foi preciso insistir.",
            ),
            (
                "A equipe de suporte é rápida e muito atenciosa.",
                "Atendimento excelente, resolveram tudo na primeira ligação.",
                "Ótimo suporte, sempre disponível.",
            ),
        ),
        "onboarding": (
            (
                "A implantação foi um caos e ninguém nos acompanhou.",
                "A configuração levou meses, muito frustrante.",
                "Faltou treinamento no início, a equipe continua perdida.",
            ),
            (
                "A implantação foi aceitável, um pouco lenta.",
                "O treinamento inicial foi ok, faltaram exemplos.",
                "O início foi normal.",
            ),
            (
                "A implantação foi rápida e muito bem guiada.",
                "Excelente acompanhamento na configuração.",
                "O treinamento foi claro, a equipe ficou pronta em dias.",
            ),
        ),
        "bugs": (
            (
                "A plataforma tem erros demais e cai com frequência.",
                "Cada atualização quebra algo, perdemos dados.",
                "Erros que reportamos há meses continuam lá.",
            ),
            (
                "Há alguns erros pequenos, nada grave.",
                "De vez em quando aparece um erro, mas é corrigido.",
                "A estabilidade é aceitável.",
            ),
            (
                "A plataforma é muito estável, quase sem erros.",
                "As atualizações funcionam perfeitamente.",
                "Nunca tivemos queda, muito confiável.",
            ),
        ),
        "ease_of_use": (
            (
                "É muito difícil de usar, ninguém da equipe entende.",
                "A interface é confusa e pouco intuitiva.",
                "Passos demais para tarefas simples.",
            ),
            (
                "É fácil de usar depois que você se acostuma.",
                "A interface é ok, poderia ser mais simples.",
                "Funciona bem, mas alguns menus confundem.",
            ),
            (
                "Muito fácil de usar, a equipe adotou logo.",
                "A interface é clara e intuitiva.",
                "Simples e prático, economiza muito tempo.",
            ),
        ),
        "billing": (
            (
                "Cobraram a mais e a fatura veio com erros.",
                "O faturamento é uma bagunça, cobranças em dobro.",
                "Não conseguimos que corrijam a fatura.",
            ),
            (
                "O faturamento funciona, mas os detalhes confundem.",
                "As faturas chegam certas, às vezes atrasadas.",
                "O processo de cobrança é normal.",
            ),
            (
                "O faturamento é claro e sempre pontual.",
                "Nunca tivemos problema com as cobranças.",
                "As faturas são transparentes e fáceis de entender.",
            ),
        ),
        "performance": (
            (
                "O sistema é muito lento, os relatórios não carregam.",
                "Tudo demora demais, atrapalha a nossa operação.",
                "A plataforma fica lentíssima no horário de pico.",
            ),
            (
                "O desempenho é aceitável, às vezes um pouco lento.",
                "Relatórios grandes demoram um pouco.",
                "A velocidade é normal.",
            ),
            (
                "O sistema é rapidíssimo, os relatórios carregam na hora.",
                "Excelente desempenho mesmo com muito volume.",
                "Muito ágil, nunca precisamos esperar.",
            ),
        ),
    },
}

LANGUAGES = ("es", "en", "pt")

COMMENTS: tuple[str, ...] = tuple(
    phrase
    for lang in LANGUAGES
    for theme in THEMES
    for by_sentiment in (_BANK[lang][theme],)
    for phrases in by_sentiment
    for phrase in phrases
)

# theme probabilities given the sentiment of the comment (rows follow SENTIMENTS)
THEME_WEIGHTS = np.array(
    [
        (0.18, 0.2, 0.08, 0.2, 0.08, 0.1, 0.16),
        (0.2, 0.15, 0.1, 0.12, 0.2, 0.1, 0.13),
        (0.08, 0.25, 0.15, 0.07, 0.3, 0.05, 0.1),
    ]
)


def comment_index(
    language: np.ndarray, theme: np.ndarray, sentiment: np.ndarray, variant: np.ndarray
) -> np.ndarray:
    """Position in :data:`COMMENTS` of each (language, theme, sentiment, variant) index."""
    return ((language * len(THEMES) + theme) * len(SENTIMENTS) + sentiment) * VARIANTS + variant


def comment_labels() -> list[tuple[str, str, str, str]]:
    """(comment, language, theme, sentiment) for every phrase: the known answer for text tests."""
    return [
        (_BANK[lang][theme][s][v], lang, theme, SENTIMENTS[s])
        for lang in LANGUAGES
        for theme in THEMES
        for s in range(len(SENTIMENTS))
        for v in range(VARIANTS)
    ]
