"""Patterns that say in the OpenAPI document what the store refuses, so that a request the
schema allows is one the API stores (and one it refuses is one the schema forbids).

Whitespace is spelled out: Python's ``str.strip`` (used by the store), the Rust ``trim`` of
pydantic's ``strip_whitespace`` and ECMAScript's ``\\s`` (what clients and fuzzers read) do
not agree on what a space is.
"""

from __future__ import annotations

# what pydantic's strip_whitespace removes (Unicode White_Space)
UNICODE_SPACE = (
    "\\u0009-\\u000d\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
# what Python's str.strip() removes: the same and the four separators U+001C..U+001F
PYTHON_SPACE = UNICODE_SPACE + "\\u001c-\\u001f"

NO_NUL = r"^[^\u0000]*$"
# some character that str.strip() keeps (and no NUL)
NOT_BLANK = rf"^[^\u0000]*[^\u0000{PYTHON_SPACE}][^\u0000]*$"
# some character that pydantic's strip keeps (and no NUL)
NOT_BLANK_STRIPPED = rf"^[^\u0000]*[^\u0000{UNICODE_SPACE}][^\u0000]*$"
EMAIL = r"^[^@\u0000-\u0020\u007f]+@[^@\u0000-\u0020\u007f]+$"
