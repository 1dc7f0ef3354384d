"""Listen: NPS/CSAT/CES micro-surveys, invitation links, answers and their sync.

Library first: the CLI (``cxpulse surveys ...``) and the web app call these functions.

>>> from cxpulse import store, collect
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     survey = collect.create_survey(s, "onboarding-ces", "ces", touchpoint="onboarding")
...     link = collect.create_invitation(s, survey, account_id="acme", base_url="http://x")
...     result = collect.answer_invitation(s, link.token, 6, comment="fácil")
...     again = collect.answer_invitation(s, link.token, 7)
...     (result.response.id == again.response.id, again.response.score)
(True, 7)
"""

from __future__ import annotations

from cxpulse.collect.answers import (
    RecordResult,
    ResponseInput,
    answer_invitation,
    check_score,
    parse_response_input,
    record_response,
    run_loop_hook,
)
from cxpulse.collect.errors import (
    CollectError,
    IdempotencyConflictError,
    InvalidAnswerError,
    InvitationExpiredError,
    InvitationNotFoundError,
    SurveyExistsError,
    UnknownSurveyError,
)
from cxpulse.collect.importer import ImportReport, import_responses
from cxpulse.collect.invitations import (
    Contact,
    IssuedInvitation,
    create_invitation,
    find_invitation,
    invitation_url,
    invite_contacts,
    read_contacts,
)
from cxpulse.collect.mail import MailReport, email_invitations
from cxpulse.collect.surveys import (
    create_survey,
    get_survey,
    list_surveys,
    question_text,
    scale,
    set_survey_active,
)
from cxpulse.collect.sync import SyncReport, start_sync_task, stop_sync_task, sync

__all__ = [
    "CollectError",
    "Contact",
    "IdempotencyConflictError",
    "ImportReport",
    "InvalidAnswerError",
    "InvitationExpiredError",
    "InvitationNotFoundError",
    "IssuedInvitation",
    "MailReport",
    "RecordResult",
    "ResponseInput",
    "SurveyExistsError",
    "SyncReport",
    "UnknownSurveyError",
    "answer_invitation",
    "check_score",
    "create_invitation",
    "create_survey",
    "email_invitations",
    "find_invitation",
    "get_survey",
    "import_responses",
    "invitation_url",
    "invite_contacts",
    "list_surveys",
    "parse_response_input",
    "question_text",
    "read_contacts",
    "record_response",
    "run_loop_hook",
    "scale",
    "set_survey_active",
    "start_sync_task",
    "stop_sync_task",
    "sync",
]
