"""Invitation links are unguessable, stored only as hashes, and take one answer each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from cxpulse import collect, store
from cxpulse.errors import ValidationError
from cxpulse.store import Invitation, SurveyResponse


def _issue(url: str, slug: str = "nps-rel", **kw: object) -> collect.IssuedInvitation:
    with store.session(url) as s:
        survey = collect.get_survey(s, slug)
        return collect.create_invitation(
            s, survey, account_id="acme", contact_id="c-1", base_url="https://cx.example/", **kw
        )


def test_link_token_is_random_and_only_its_hash_is_stored(store_url: str, nps_survey: str) -> None:
    issued = [_issue(store_url) for _ in range(20)]
    tokens = {i.token for i in issued}
    assert len(tokens) == 20
    assert all(len(t) >= 43 for t in tokens)  # 256 bits in URL-safe base64
    assert issued[0].url == f"https://cx.example/s/{issued[0].token}"
    with store.session(store_url) as s:
        dump = " ".join(str(v) for row in s.execute(text("SELECT * FROM invitations")) for v in row)
    assert not any(t in dump for t in tokens)


def test_second_submission_updates_the_same_answer(
    store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    link = _issue(store_url)
    with store.session(store_url) as s:
        first = collect.answer_invitation(s, link.token, 3)
    with store.session(store_url) as s:
        second = collect.answer_invitation(s, link.token, None, comment="slow support")
    with store.session(store_url) as s:
        third = collect.answer_invitation(s, link.token, 8)
    assert first.created and not second.created and not third.created
    assert first.response.id == second.response.id == third.response.id
    assert stored() == 1
    with store.session(store_url) as s:
        row = s.scalars(select(SurveyResponse)).one()
        invitation = s.scalars(select(Invitation)).one()
    assert (row.score, row.comment, row.account_id, row.contact_id) == (
        8,
        "slow support",
        "acme",
        "c-1",
    )
    assert row.updated_at >= row.created_at
    assert invitation.response_id == row.id and invitation.responded_at is not None


def test_concurrent_first_submissions_store_one_answer(
    store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    import threading

    link = _issue(store_url)
    barrier = threading.Barrier(5)
    errors: list[BaseException] = []

    def submit(score: int) -> None:
        try:
            barrier.wait()
            with store.session(store_url) as s:
                collect.answer_invitation(s, link.token, score)
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert stored() == 1


def test_unknown_expired_and_closed_links_are_refused(
    store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    with pytest.raises(collect.InvitationNotFoundError), store.session(store_url) as s:
        collect.answer_invitation(s, "not-a-token", 5)
    old = _issue(store_url, expires_in=timedelta(seconds=-1))
    with pytest.raises(collect.InvitationExpiredError), store.session(store_url) as s:
        collect.answer_invitation(s, old.token, 5)
    link = _issue(store_url)
    with store.session(store_url) as s:
        collect.set_survey_active(s, nps_survey, False)
    with pytest.raises(collect.InvitationExpiredError), store.session(store_url) as s:
        collect.answer_invitation(s, link.token, 5)
    assert stored() == 0


def test_score_off_scale_on_a_link_is_refused(store_url: str, nps_survey: str) -> None:
    link = _issue(store_url, "csat-support")
    with pytest.raises(collect.InvalidAnswerError, match="1 to 5"), store.session(store_url) as s:
        collect.answer_invitation(s, link.token, 9)


def test_contacts_csv_with_mapping_becomes_invitations(
    tmp_path: Path, store_url: str, nps_survey: str
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Cliente,Correo,contact_id\nacme,ana@acme.example,c1\nbeta,,c2\n", "utf-8")
    contacts = collect.read_contacts(path, {"Cliente": "account_id", "Correo": "email"})
    assert contacts == [
        collect.Contact("acme", "c1", "ana@acme.example"),
        collect.Contact("beta", "c2", None),
    ]
    with store.session(store_url) as s:
        survey = collect.get_survey(s, nps_survey)
        issued = collect.invite_contacts(s, survey, contacts, base_url="http://h")
    assert [i.invitation.account_id for i in issued] == ["acme", "beta"]


def test_contacts_csv_with_bad_rows_is_rejected_whole(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("account_id,email\nacme,ana@acme.example\n,x@y.z\nbeta,not-an-email\n", "utf-8")
    with pytest.raises(ValidationError) as err:
        collect.read_contacts(path)
    message = str(err.value)
    # Problems are grouped by kind: the column, then the rows where it happens.
    assert "column 'account_id'" in message and "row 2" in message
    assert "column 'email'" in message and "row 3" in message
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "account_id"), (3, "email")]
    missing = tmp_path / "no_account.csv"
    missing.write_text("email\na@b.c\n", "utf-8")
    with pytest.raises(ValidationError, match="account_id"):
        collect.read_contacts(missing)
