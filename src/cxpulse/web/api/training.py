"""``/api/v1/training/board``: the CX glossary game board."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from cxpulse.web.training import Board, board

router = APIRouter(prefix="/api/v1/training", tags=["training"])


@router.get("/board", response_model=Board)
def training_board(lang: Literal["es", "en"] = "es") -> Board:
    """Four categories of CX terms at 100-400 points, clues and answers in one language."""
    return board(lang)
