"""The condition ops a user may write in [[metrics.custom]] are ops the engine compiles."""

from __future__ import annotations

from typing import get_args

from cxpulse.config import CONDITION_OPS
from cxpulse.metrics.definitions import Op


def test_every_user_condition_op_is_an_engine_op() -> None:
    engine = set(get_args(Op))
    assert set(CONDITION_OPS) <= engine, sorted(set(CONDITION_OPS) - engine)
    # the SLA ops take their target from the config, so users do not write them by hand
    assert engine - set(CONDITION_OPS) == {"within", "due"}
