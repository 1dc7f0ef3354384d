"""Paging parameters of the JSON lists, bounded so that any number a client sends is either
answered or refused with a 422 in the asker's language (never a database overflow).

>>> MAX_OFFSET
2147483647
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

# Row ids are 32-bit on PostgreSQL: no list is longer, so no larger offset can find a row.
MAX_OFFSET = 2_147_483_647

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description=f"rows to skip (0 to {MAX_OFFSET:,})")
]
