"""Survey pages: the public answer page ``/s/{token}`` and the team's ``/surveys`` screens.

The answer page needs no sign-in and works on a phone: one tap on a score stores the
answer (a plain form post, no script needed), then an optional comment. Submitting again
from the same link changes the same answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxpulse import collect, store
from cxpulse.collect.errors import (
    CollectError,
    InvalidAnswerError,
    InvitationExpiredError,
    InvitationNotFoundError,
)
from cxpulse.config import Settings
from cxpulse.errors import CxpulseError
from cxpulse.store.tables import MAX_COMMENT_CHARS, Invitation, Survey, SurveyResponse
from cxpulse.store.users import token_hash
from cxpulse.web import i18n
from cxpulse.web.api.surveys import public_base_url
from cxpulse.web.deps import ContextDep, require_role
from cxpulse.web.session import flash
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False)


def _write_session(ctx: ContextDep) -> Iterator[Session]:
    # committed when the handler returns, before the page is sent
    with store.session(ctx.store_engine()) as s:
        yield s


DbSession = Annotated[Session, Depends(_write_session, scope="function")]


def _read_session(ctx: ContextDep) -> Iterator[Session]:
    # pages that only show data take no write lock (SQLite writers never wait for them)
    with store.read_session(ctx.store_engine()) as s:
        yield s


ReadSession = Annotated[Session, Depends(_read_session, scope="function")]


# ---- public answer page --------------------------------------------------------------
def _answer_language(request: Request, survey: Survey | None) -> str:
    """``?lang=``, else the survey's language; a link that names no survey (mistyped, cut)
    answers in the reader's language: the language cookie, else the browser's first
    language we have (Accept-Language), else Spanish."""
    chosen = request.query_params.get("lang")
    if chosen in i18n.LANGUAGES:
        return str(chosen)
    if survey is not None:
        return str(survey.language)
    cookie = request.cookies.get(i18n.LANG_COOKIE)
    if cookie in i18n.LANGUAGES:
        return str(cookie)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in i18n.LANGUAGES:
            return code
    return "es"


def _translator(lang: str, formality: str = "tu") -> Any:
    """Messages of the public pages in the project's tú or usted form (a ``<key>.tu``
    variant of the catalogue, else the key itself)."""
    from cxpulse.locale import gettext_addressed

    def t(key: str, **values: Any) -> str:
        return gettext_addressed(key, lang, formality, **values)

    return t


def _brand(request: Request) -> Any:
    from cxpulse.web.brand import brand_of

    return brand_of(request.app.state.ctx.config)


def _link_error(request: Request, exc: CollectError, survey: Survey | None = None) -> Response:
    lang = _answer_language(request, survey)
    brand = _brand(request)
    t = _translator(lang, brand.formality)
    if isinstance(exc, InvitationNotFoundError):
        status, detail = 404, t("collect.error.not_found")
    elif isinstance(exc, InvitationExpiredError):
        status, detail = 410, t("collect.error.expired")
    else:
        status, detail = exc.http_status, str(exc)
    return render(
        request,
        "survey_error.html",
        status_code=status,
        status=status,
        detail=detail,
        lang=lang,
        t=t,
        brand=brand,
    )


def _answer_page(
    request: Request,
    db: Session,
    token: str,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    try:
        invitation = collect.find_invitation(db, token)
    except CollectError as exc:
        return _link_error(request, exc)
    survey = db.get(Survey, invitation.survey_id)
    if survey is None or not survey.active:
        return _link_error(request, InvitationExpiredError("closed"), survey)
    response = db.scalar(
        select(SurveyResponse).where(SurveyResponse.invitation_id == invitation.id)
    )
    lang = _answer_language(request, survey)
    low, high = collect.scale(survey.kind)
    brand = _brand(request)
    return render(
        request,
        "survey_answer.html",
        status_code=status_code,
        lang=lang,
        t=_translator(lang, brand.formality),
        brand=brand,
        survey=survey,
        question=collect.question_text(survey, lang, brand.formality),
        scores=list(range(low, high + 1)),
        answer=response,
        token=token,
        error=error,
        max_comment=MAX_COMMENT_CHARS,
        saved=request.query_params.get("saved"),
    )


@router.get("/s/brand/logo")
def brand_logo(request: Request) -> Response:
    """The project's logo for its survey pages (a file in the project folder)."""
    brand = _brand(request)
    if brand.logo is None or not brand.logo.is_file():
        raise HTTPException(status_code=404, detail=CxpulseError(key="cx.error.no_logo"))
    return Response(
        brand.logo.read_bytes(),
        media_type=brand.logo_type or "application/octet-stream",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/s/{token}")
def answer_page(request: Request, token: str, db: ReadSession) -> Response:
    """The question with one button per score (and, once answered, the comment box)."""
    return _answer_page(request, db, token)


@router.post("/s/{token}")
def submit_answer(
    request: Request,
    token: str,
    db: DbSession,
    score: Annotated[str | None, Form()] = None,
    comment: Annotated[str | None, Form()] = None,
) -> Response:
    """Store (or change) the answer of this link, then show the thank-you state."""
    lang_param = request.query_params.get("lang")
    value: int | None = None
    if score not in (None, ""):
        try:
            value = int(str(score))
        except ValueError:
            value = -1  # refused below with the scale in the message
    try:
        with db.begin_nested():  # a refused answer leaves nothing behind
            collect.answer_invitation(
                db,
                token,
                value,
                comment=comment,
                language=lang_param if lang_param in i18n.LANGUAGES else None,
                channel="link",
            )
    except InvalidAnswerError:
        invitation = db.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
        survey = db.get(Survey, invitation.survey_id) if invitation else None
        lang = _answer_language(request, survey)
        low, high = collect.scale(survey.kind) if survey else (0, 10)
        too_long = comment is not None and len(comment.strip()) > MAX_COMMENT_CHARS
        t = _translator(lang, _brand(request).formality)
        message = (
            t("collect.error.comment_too_long", limit=MAX_COMMENT_CHARS)
            if too_long
            else t("collect.error.score", low=low, high=high)
        )
        return _answer_page(request, db, token, status_code=422, error=message)
    except CollectError as exc:
        return _link_error(request, exc)
    suffix = "comment" if comment is not None and value is None else "score"
    query = f"?saved={suffix}" + (f"&lang={lang_param}" if lang_param in i18n.LANGUAGES else "")
    return RedirectResponse(f"/s/{token}{query}", status_code=303)


# ---- the team's survey screens -------------------------------------------------------
@router.get("/surveys", dependencies=[require_role("analyst")])
def surveys_page(request: Request, db: ReadSession) -> Response:
    """Every survey with its answer count, and the form to create one."""
    counts = dict(
        db.execute(
            select(SurveyResponse.survey_id, func.count()).group_by(SurveyResponse.survey_id)
        ).all()
    )
    return render(
        request,
        "survey_list.html",
        surveys=collect.list_surveys(db),
        counts=counts,
        kinds=("nps", "csat", "ces"),
        form={},
        error=None,
    )


@router.post("/surveys", dependencies=[require_role("analyst")])
def create_survey_submit(
    request: Request,
    db: DbSession,
    slug: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    touchpoint: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "es",
    question_es: Annotated[str, Form()] = "",
    question_en: Annotated[str, Form()] = "",
    ask_comment: Annotated[str | None, Form()] = None,
) -> Response:
    """Create a survey from the form; on a mistake show the form again with the reason."""
    form = {
        "slug": slug,
        "kind": kind,
        "touchpoint": touchpoint,
        "language": language,
        "question_es": question_es,
        "question_en": question_en,
    }
    try:
        with db.begin_nested():
            survey = collect.create_survey(
                db,
                slug,
                kind,
                touchpoint=touchpoint.strip() or None,
                language=language,
                question_es=question_es.strip() or None,
                question_en=question_en.strip() or None,
                ask_comment=ask_comment is not None,
            )
    except CollectError as exc:
        return render(
            request,
            "survey_list.html",
            status_code=exc.http_status if exc.http_status != 404 else 422,
            surveys=collect.list_surveys(db),
            counts={},
            kinds=("nps", "csat", "ces"),
            form=form,
            error=str(exc),
        )
    flash(request, "collect.surveys.created", "success", slug=survey.slug)
    return RedirectResponse(f"/surveys/{survey.slug}", status_code=303)


def _survey_or_404(db: Session, slug: str) -> Survey:
    try:
        return collect.get_survey(db, slug)
    except CollectError as exc:
        raise HTTPException(status_code=404, detail=exc) from None


def _detail(request: Request, db: Session, survey: Survey, **extra: Any) -> Response:
    answers = db.scalar(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
    )
    invitations = db.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.survey_id == survey.id)
    )
    recent = db.scalars(
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.responded_at.desc(), SurveyResponse.id.desc())
        .limit(20)
    ).all()
    from cxpulse.collect.fatigue import fatigue_days
    from cxpulse.web.directory import account_directory

    lang = i18n.request_language(request, "es")
    ctx = request.app.state.ctx
    extra.setdefault("fatigue", None)
    directory = account_directory(ctx)
    names = {
        r.account_id: directory[r.account_id].name for r in recent if r.account_id in directory
    }
    return render(
        request,
        "survey_detail.html",
        fatigue_window=fatigue_days(survey, (ctx.config.surveys or {}).get("fatigue_days")),
        status_code=extra.pop("status_code", 200),
        survey=survey,
        question=collect.question_text(survey, lang, _brand(request).formality),
        answers=answers or 0,
        invitations=invitations or 0,
        recent=recent,
        names=names,
        links=extra.pop("links", None),
        error=extra.pop("error", None),
        **extra,
    )


@router.get("/surveys/{slug}", dependencies=[require_role("analyst")])
def survey_page(request: Request, slug: str, db: ReadSession) -> Response:
    """One survey: its question, counts, latest answers and the invitation form."""
    return _detail(request, db, _survey_or_404(db, slug))


def _parse_contacts(text: str) -> list[collect.Contact]:
    contacts = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p.strip() for p in line.replace(";", ",").split(",")]
        if not parts or not parts[0]:
            continue
        email = parts[1] if len(parts) > 1 and parts[1] else None
        if email is not None and "@" not in email:
            raise CollectError(
                key="collect.error.contact_email", values={"line": number, "email": repr(email)}
            )
        contact_id = parts[2] if len(parts) > 2 and parts[2] else None
        contacts.append(collect.Contact(parts[0], contact_id, email))
    if not contacts:
        raise CollectError(key="collect.error.contacts_format")
    return contacts


@router.post("/surveys/{slug}/invitations", dependencies=[require_role("analyst")])
def invite_submit(
    request: Request,
    slug: str,
    ctx: ContextDep,
    db: DbSession,
    contacts: Annotated[str, Form()],
    send_email: Annotated[str | None, Form()] = None,
) -> Response:
    """Create invitations and show their links once (they cannot be shown again)."""
    from cxpulse.collect.fatigue import fatigue_days, invite_respecting_fatigue

    survey = _survey_or_404(db, slug)
    default = (ctx.config.surveys or {}).get("fatigue_days")
    try:
        with db.begin_nested():
            report = invite_respecting_fatigue(
                db,
                survey,
                _parse_contacts(contacts),
                base_url=public_base_url(request, ctx),
                days=fatigue_days(survey, default),
            )
            if send_email is not None and report.issued:
                collect.email_invitations(
                    db,
                    survey,
                    report.issued,
                    settings=Settings(),
                    formality=_brand(request).formality,
                )
    except CollectError as exc:
        return _detail(request, db, survey, error=str(exc), status_code=422)
    return _detail(request, db, survey, links=report.issued, fatigue=report)


@router.post("/surveys/{slug}/active", dependencies=[require_role("analyst")])
def toggle_active(slug: str, db: DbSession, active: Annotated[str, Form()] = "0") -> Response:
    """Open or close the survey."""
    _survey_or_404(db, slug).active = active == "1"
    return RedirectResponse(f"/surveys/{slug}", status_code=303)
