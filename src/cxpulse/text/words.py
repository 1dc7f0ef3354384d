"""Tokens, accent folding and the function words of Spanish, English and Portuguese.

Shared by language detection, sentiment and theme labels. Lists are written here by hand
(function words only), so nothing is downloaded.

>>> fold("Atenção rápida")
'atencao rapida'
>>> tokenize("¡No funcionó, NUNCA!")
['no', 'funciono', 'nunca']
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents (``ñ`` becomes ``n``)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def raw_tokens(text: str) -> list[str]:
    """Words of ``text`` as written (case and accents kept), apostrophes inside words kept."""
    return _WORD.findall(text)


def tokenize(text: str) -> list[str]:
    """Folded words of ``text`` (lower case, no accents, no digits or punctuation)."""
    return [fold(w).replace("’", "'") for w in raw_tokens(text)]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOPWORDS: Final[dict[str, frozenset[str]]] = {
    "es": _set(
        """
        a al algo algunas algunos ante antes como con contra cual cuando de del desde donde
        durante e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba
        estaban estamos estan estar este esto estos fue fueron ha hay hasta he la las le les lo
        los me mi mis mucho muchos muy nada ni no nos nosotros o os otra otro para pero poco por
        porque que quien se sea ser si sido sin sobre son su sus tambien te tengo tiene tienen
        todo todos tu un una uno unos y ya yo usted ustedes cada hace han hemos he muy mas
        aunque despues todavia siempre nunca aqui alli asi bien cuyo desde solo mientras
        """
    ),
    "en": _set(
        """
        a about after again all also am an and any are as at be because been before being but
        by can could did do does doing down during each few for from had has have having he her
        here hers him his how i if in into is it its just me more most my no nor not of off on
        once only or other our out over own same she should so some such than that the their
        them then there these they this those through to too under until up very was we were
        what when where which while who whom why will with would you your yours it's i'm don't
        didn't doesn't isn't wasn't can't won't i've been got get
        """
    ),
    "pt": _set(
        """
        a ao aos as ate com como da das de dela dele deles depois do dos e ela elas ele eles em
        entre era eram essa esse esta estao estava estou eu foi foram ha isso isto ja la lhe
        mais mas me mesmo meu minha muito na nao nas nem no nos num numa o os ou para pela pelas
        pelo pelos por porque qual quando que quem se sem ser seu sua suas so sao tambem te tem
        tenho ter teu tu um uma voce voces vou pra pro ainda aqui bem entao isso agora nunca
        sempre tudo todo toda todos fiz fez veio vem esta estar
        """
    ),
}

# Words that (nearly) only one of the three languages uses: strong evidence in detection.
MARKERS: Final[dict[str, frozenset[str]]] = {
    "es": _set(
        """
        el los del al y pero muy es estoy han hay usted ustedes lo su sus yo tengo tiene fue ya
        cuando hasta tambien siempre ningun ninguna servicio atencion recibido llego producto
        gracias bueno buena malo mala peor mejor mucho mucha muchos poco aun despues hoy ayer
        dinero precio factura cobro soporte sigue hicieron tarde nadie ahora satisfecho
        recomiendo encanto
        """
    ),
    "en": _set(
        """
        the and is are was were of to it this that with for not but have has you my i very
        great good bad service support product order delivery price they we our be would
        could should can't don't didn't doesn't dont didnt doesnt isnt wasnt cant wont never
        always again slow fast easy hard thanks work works worked love awesome terrible
        """
    ),
    "pt": _set(
        """
        do dos da das ao aos nao muito uma um com voce isso ele ela foi ja ainda produto
        chegou recebi prazo loja otimo bom boa ruim pessimo obrigado obrigada comprei veio
        entregue atendimento gostei nenhum nenhuma dinheiro estou sao tem tenho minha meu
        pelo pela pra agora depois bem duas vezes ontem hoje tambem voces
        otima otimos otimas adorei parabens satisfeito satisfeita faltaram
        """
    ),
}
