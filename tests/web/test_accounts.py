"""Accounts, API tokens, the CLI, the migration and the append-only audit log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cctvscope.cli.main import app as cli
from cctvscope.errors import InputError
from cctvscope.store import init_store
from cctvscope.store.migrate import downgrade_database, head_revision, schema_differences
from cctvscope.store.web_tables import api_tokens, audit_log, users
from cctvscope.web import audit
from cctvscope.web.accounts import add_user, authenticate, create_token, user_for_token
from cctvscope.web.security import UserRole, token_digest

runner = CliRunner()


def test_migration_creates_the_web_tables_exactly(store):
    assert head_revision() == "0014"
    names = set(sa.inspect(store).get_table_names())
    web = {"users", "user_boroughs", "api_tokens", "audit_log", "web_sessions", "web_jobs"}
    assert web | {"login_failures"} <= names
    assert schema_differences(store) == []
    downgrade_database(store, "0004")
    gone = {"users", "audit_log", "web_jobs", "login_failures"}
    assert not gone & set(sa.inspect(store).get_table_names())
    init_store(store)
    assert schema_differences(store) == []


def test_password_is_an_argon2_hash(store):
    user = add_user(store, "ana", "correct horse battery", UserRole.ANALYST)
    with store.connect() as connection:
        stored = connection.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert authenticate(store, "ana", "correct horse battery") == user
    assert authenticate(store, "ana", "wrong horse battery") is None
    assert authenticate(store, "nobody", "correct horse battery") is None


def test_add_user_reports_every_problem(store):
    with pytest.raises(InputError) as caught:
        add_user(store, "a b", "short", "boss", boroughs=["Camden Town"])  # codes have no spaces
    fields = {f.field for f in caught.value.findings}
    assert fields == {"role", "username", "password", "borough"}
    with pytest.raises(InputError) as caught:
        add_user(store, "mgr", "long enough password", "borough_manager")
    assert [f.reason for f in caught.value.findings] == ["a borough manager needs one"]
    add_user(store, "dup", "long enough password", "police")
    with pytest.raises(InputError, match="exists"):
        add_user(store, "dup", "long enough password", "police")


def test_tokens_are_stored_as_digests(store):
    add_user(store, "bot", "long enough password", "analyst")
    token = create_token(store, "bot", "nightly")
    with store.connect() as connection:
        stored = connection.execute(sa.select(api_tokens.c.token_sha256)).scalar_one()
    assert stored == token_digest(token)
    assert token not in stored
    user = user_for_token(store, token)
    assert user is not None and user.username == "bot"
    assert user_for_token(store, token + "x") is None
    with store.begin() as connection:
        connection.execute(api_tokens.update().values(revoked_at=sa.func.now()))
    assert user_for_token(store, token) is None


def test_audit_log_is_append_only(store):
    audit.record(store, audit.LOGIN, "ana", username="ana", ip="127.0.0.1")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.begin() as connection:
        connection.execute(audit_log.update().values(action="tampered"))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.begin() as connection:
        connection.execute(audit_log.delete())
    (row,) = audit.entries(store)
    assert row.action == audit.LOGIN


def test_cli_user_add_list_token(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    # Only init (and the commands that make estates) create a store; accounts go into one.
    assert runner.invoke(cli, ["init", "--database-url", url]).exit_code == 0
    added = runner.invoke(
        cli,
        ["user", "add", "camden", "--role", "borough-manager", "--borough", "E09000007",
         "--password-stdin", "--database-url", url],
        input="a long enough password\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added camden (borough_manager for E09000007)" in added.output
    listed = runner.invoke(cli, ["user", "list", "--database-url", url])
    assert "camden" in listed.output and "E09000007" in listed.output
    issued = runner.invoke(cli, ["user", "token", "camden", "--database-url", url])
    assert issued.exit_code == 0
    token = issued.output.strip()
    assert token.startswith("cst_")
    engine = init_store(url)
    user = user_for_token(engine, token)
    engine.dispose()
    assert user is not None and user.boroughs == frozenset({"E09000007"})
    bad = runner.invoke(
        cli,
        ["user", "add", "x", "--role", "king", "--password-stdin", "--database-url", url],
        input="short\n",
    )
    assert bad.exit_code == 2
    missing = runner.invoke(cli, ["user", "token", "nobody", "--database-url", url])
    assert missing.exit_code == 2


def test_cli_serve_is_registered():
    result = runner.invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--out" in result.output
