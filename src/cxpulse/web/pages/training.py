"""The training page: a Jeopardy-style board game for CX teams (teams, scores, es/en)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cxpulse.web.deps import Lang
from cxpulse.web.templating import render
from cxpulse.web.training import board

router = APIRouter(include_in_schema=False)


@router.get("/training", response_class=HTMLResponse)
def training_page(request: Request, lang: Lang) -> HTMLResponse:
    game = board(lang)
    return render(request, "training.html", board=game, board_json=game.model_dump())
