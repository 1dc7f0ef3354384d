"""Users authenticate with argon2-hashed passwords; API tokens are shown once and hashed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cxpulse import store
from cxpulse.store import ApiToken, User, UserError


def test_user_authenticates_with_right_password_only(store_url: str) -> None:
    with store.session(store_url) as s:
        user = store.create_user(s, " Ana@Example.com ", "s3cret-enough", "admin", name="Ana")
        assert user.id is not None
    with store.session(store_url) as s:
        stored = s.scalars(select(User)).one()
        assert stored.email == "ana@example.com"
        assert stored.password_hash.startswith("$argon2id$")
        assert "s3cret-enough" not in stored.password_hash
        assert store.authenticate(s, "ANA@example.com", "s3cret-enough") is not None
        assert store.authenticate(s, "ana@example.com", "wrong-password") is None
        assert store.authenticate(s, "nobody@example.com", "s3cret-enough") is None


def test_inactive_user_cannot_log_in_or_use_tokens(store_url: str) -> None:
    with store.session(store_url) as s:
        user = store.create_user(s, "b@example.com", "password-1", "agent")
        token = store.create_api_token(s, user, "ci")
        user.active = False
    with store.session(store_url) as s:
        assert store.authenticate(s, "b@example.com", "password-1") is None
        assert store.verify_api_token(s, token) is None


@pytest.mark.parametrize(
    ("email", "password", "role", "fragment"),
    [
        ("not-an-email", "password-1", "admin", "not an e-mail"),
        ("c@example.com", "short", "admin", "too short"),
        ("c@example.com", "password-1", "boss", "role 'boss'"),
    ],
)
def test_bad_user_input_is_refused_with_a_reason(
    store_url: str, email: str, password: str, role: str, fragment: str
) -> None:
    with store.session(store_url) as s, pytest.raises(UserError, match=fragment):
        store.create_user(s, email, password, role)


def test_duplicate_email_is_refused(store_url: str) -> None:
    with store.session(store_url) as s:
        store.create_user(s, "d@example.com", "password-1", "analyst")
    with store.session(store_url) as s, pytest.raises(UserError, match="already exists"):
        store.create_user(s, "D@example.com", "password-2", "analyst")


def test_api_token_is_stored_hashed_and_verifies(store_url: str) -> None:
    with store.session(store_url) as s:
        user = store.create_user(s, "e@example.com", "password-1", "analyst")
        plain = store.create_api_token(s, user, "import job")
    assert plain.startswith("cxp_") and len(plain) > 40
    with store.session(store_url) as s:
        row = s.scalars(select(ApiToken)).one()
        assert row.token_hash != plain and plain not in row.token_hash
        assert row.last_used_at is None
        found = store.verify_api_token(s, plain)
        assert found is not None and found.email == "e@example.com"
        assert store.verify_api_token(s, plain + "x") is None
        assert store.verify_api_token(s, "") is None
    with store.session(store_url) as s:
        assert s.scalars(select(ApiToken)).one().last_used_at is not None


def test_revoked_token_stops_working_and_only_its_owner_can_revoke(store_url: str) -> None:
    with store.session(store_url) as s:
        owner = store.create_user(s, "f@example.com", "password-1", "analyst")
        other = store.create_user(s, "g@example.com", "password-1", "analyst")
        plain = store.create_api_token(s, owner, "old")
        token_id = store.list_api_tokens(s, owner.id)[0].id
        assert store.revoke_api_token(s, token_id, user_id=other.id) is False
        assert store.verify_api_token(s, plain) is not None
        assert store.revoke_api_token(s, token_id, user_id=owner.id) is True
    with store.session(store_url) as s:
        assert store.verify_api_token(s, plain) is None
        assert store.list_api_tokens(s, owner.id) == []


def test_token_check_is_remembered_briefly_and_revocation_wins(store_url: str) -> None:
    from sqlalchemy import event

    with store.session(store_url) as s:
        user = store.create_user(s, "h@example.com", "password-1", "analyst", name="Hugo")
        plain = store.create_api_token(s, user, "bulk")
        user_id = user.id
    statements: list[str] = []
    eng = store.engine(store_url)
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(eng, "before_cursor_execute", listener)
    try:
        for _ in range(3):
            with store.session(store_url) as s:
                found = store.verify_api_token(s, plain)
                assert found is not None and (found.id, found.role, found.name) == (
                    user_id,
                    "analyst",
                    "Hugo",
                )
        lookups = [q for q in statements if "api_tokens" in q and q.lstrip().startswith("SELECT")]
        assert len(lookups) == 1  # later checks within the interval hit the cache
        with store.session(store_url) as s:
            store.set_user_active(s, user_id, False)
        with store.session(store_url) as s:
            assert store.verify_api_token(s, plain) is None
    finally:
        event.remove(eng, "before_cursor_execute", listener)
