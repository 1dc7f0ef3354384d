"""Sessions, password changes, deactivation and token expiry on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxpulse import store


def test_sessions_end_on_logout_password_change_and_deactivation(store_url: str) -> None:
    with store.session(store_url) as s:
        user = store.create_user(s, "eva@example.com", "a long secret", role="analyst")
        a, b, c = (store.open_session(s, user.id) for _ in range(3))
        assert store.session_user(s, a).email == "eva@example.com"
        assert store.end_session(s, a) == user.id
        assert store.session_user(s, a) is None and store.session_user(s, b) is not None
        store.change_password(s, user.id, "a long secret", "another long secret")
        assert store.session_user(s, b) is None and store.session_user(s, c) is None
        d = store.open_session(s, user.id)
        store.set_user_active(s, user.id, False)
        assert store.session_user(s, d) is None
        kinds = [e.kind for e in store.recent_events(s, user_id=user.id)]
        assert kinds == ["user_deactivated", "password_changed"]


def test_an_expired_session_and_token_open_nothing(store_url: str) -> None:
    with store.session(store_url) as s:
        user = store.create_user(s, "leo@example.com", "a long secret", role="agent")
        sid = store.open_session(s, user.id, lifetime=timedelta(seconds=-1))
        assert store.session_user(s, sid) is None
        plain = store.create_api_token(s, user.id, "job", expires_in=timedelta(days=1))
        assert store.verify_api_token(s, plain) is not None
        token = store.list_api_tokens(s, user.id)[0]
        token.expires_at = store.utcnow() - timedelta(seconds=1)
        store.forget_api_tokens()
        assert store.verify_api_token(s, plain) is None


def test_wrong_current_password_changes_nothing(store_url: str) -> None:
    with store.session(store_url) as s:
        user = store.create_user(s, "max@example.com", "a long secret", role="agent")
        with pytest.raises(store.UserError) as err:
            store.change_password(s, user.id, "not it", "another long secret")
        assert err.value.key == "sec.password.wrong_current"
        assert "contraseña actual" in err.value.message_in("es")
        assert store.authenticate(s, "max@example.com", "a long secret") is not None


def test_token_lifetime_is_bounded(store_url: str) -> None:
    with store.session(store_url) as s:
        user = store.create_user(s, "ada@example.com", "a long secret", role="agent")
        with pytest.raises(store.UserError):
            store.create_api_token(s, user.id, "forever", expires_in=timedelta(days=10_000))
        assert store.revoke_api_token(s, 10**30) is False  # a huge id is simply not there
