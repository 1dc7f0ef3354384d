"""Case titles in the reader's language.

A case stores its title as a catalogue key and values (``title_key``, ``title_values``) next
to the text written in the project's language when it opened. Readers ask
:func:`case_title`, which renders the key in their language with the account's name; a case
without a key (opened before keys were kept, or with a title a person typed) shows its text.

>>> from cxpulse.store.tables import Case
>>> case = Case(title="NPS 3 de la cuenta A1", title_key="loop.title.response",
...             title_values={"kind": "NPS", "score": 3, "account": "A1"})
>>> case_title(case, "en", "Acme Ltd.")
'NPS 3 from account Acme Ltd.'
"""

from __future__ import annotations

from typing import Any

from cxpulse.locale import gettext, term
from cxpulse.store.tables import Case


def title_values_for(lang: str, values: dict[str, Any], account_name: str | None) -> dict[str, Any]:
    """The placeholders of a title key, with stored codes turned into words of ``lang``."""
    out = dict(values)
    if account_name:
        out["account"] = account_name
    if "band" in out:
        out["band"] = term("band", out["band"], lang)
    return out


def case_title(case: Case, lang: str, account_name: str | None = None) -> str:
    """The title of ``case`` for a reader of ``lang`` (account shown by name when known)."""
    if case.title_key and isinstance(case.title_values, dict):
        try:
            return gettext(
                case.title_key, lang, **title_values_for(lang, case.title_values, account_name)
            )
        except (KeyError, IndexError, ValueError):  # a key whose placeholders changed
            return case.title
    return case.title
