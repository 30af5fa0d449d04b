"""The web shell without a browser: sessions, cookies, CSRF, OpenAPI, CSP-safe markup,
money and dates in the household's locale."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from homeledger.web.csrf import cookie_header
from homeledger.web.templating import date, money, sign_class
from tests.web.conftest import PASSWORD

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def _token(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _sign_up(client: TestClient, email: str, household: str = "Home") -> None:
    token = _token(client.get("/signup").text)
    response = client.post(
        "/signup",
        data={
            "csrf_token": token,
            "email": email,
            "password": PASSWORD,
            "household_name": household,
            "base_currency": "EUR",
            "locale": "de_DE",
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def web(client: TestClient, built_assets: Path) -> TestClient:
    return client


def test_pages_are_left_out_of_the_openapi_schema(web: TestClient) -> None:
    paths = web.get("/api/openapi.json").json()["paths"]
    assert all(p.startswith(("/api/", "/health", "/metrics")) for p in paths), sorted(paths)


def test_session_cookie_is_httponly_lax_and_stores_only_a_digest(web: TestClient) -> None:
    _sign_up(web, "cookie@example.com")
    cookie = web.cookies.get("hl_session")
    assert cookie
    engine = web.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT token_digest FROM web_sessions")).scalars().all()
    assert stored == [hashlib.sha256(cookie.encode()).hexdigest()]
    header = cookie_header("abc", secure=True, max_age=60)
    assert header.startswith("__Host-hl_session=abc; Path=/; HttpOnly; SameSite=Lax; Secure")


def test_signing_out_ends_the_session_for_good(web: TestClient) -> None:
    _sign_up(web, "out@example.com")
    old = web.cookies.get("hl_session")
    assert web.get("/", follow_redirects=False).status_code == 200
    token = _token(web.get("/").text)
    assert (
        web.post("/signout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    )
    web.cookies.set("hl_session", old or "")
    again = web.get("/", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/signin?next=/"


def test_switching_households_changes_what_the_pages_show(web: TestClient) -> None:
    _sign_up(web, "two@example.com", household="Flat")
    token = _token(web.get("/households").text)
    web.post(
        "/households",
        data={"csrf_token": token, "name": "Cabin", "base_currency": "SEK", "locale": "sv_SE"},
    )
    assert "<h1>Cabin</h1>" in web.get("/").text
    flat = re.search(r'value="([0-9a-f]{32})">Flat</option>', web.get("/").text)
    assert flat is not None
    token = _token(web.get("/").text)
    web.post("/households/switch", data={"csrf_token": token, "household_id": flat.group(1)})
    assert "<h1>Flat</h1>" in web.get("/").text


def test_a_signed_in_page_without_a_session_redirects_to_sign_in(web: TestClient) -> None:
    response = web.get("/transactions?q=rent", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/transactions%3Fq%3Drent"


def test_pages_carry_a_strict_csp_and_no_inline_script_or_style(web: TestClient) -> None:
    _sign_up(web, "csp@example.com")
    for path in ("/", "/transactions", "/accounts", "/accounts/new", "/categories", "/signin"):
        response = web.get(path)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp
        assert "style-src 'self';" in csp
        assert not INLINE_SCRIPT.search(response.text), path
        assert " style=" not in response.text, path


def test_form_errors_are_shown_beside_the_field_and_keep_what_was_typed(web: TestClient) -> None:
    token = _token(web.get("/signup").text)
    response = web.post(
        "/signup",
        data={
            "csrf_token": token,
            "email": "not-an-email",
            "password": "short",
            "display_name": "Ann",
            "household_name": "Home",
            "base_currency": "EUR",
            "locale": "en_US",
            "next": "/",
        },
    )
    assert response.status_code == 422
    assert 'id="f-email-error">Enter an email address such as name@example.com.' in response.text
    assert 'id="f-password-error">Use at least 10 characters.' in response.text
    assert 'value="not-an-email"' in response.text
    assert 'value="Ann"' in response.text


def test_money_and_dates_follow_the_household_locale() -> None:
    assert money(123450, "EUR", "en_US") == "€1,234.50"
    assert money("1234.5", "EUR", "de_DE") == "1.234,50\xa0€"
    assert money(-1200, "JPY", "ja_JP") == "-￥1,200"
    assert money("-0.5", "BHD", "en_US") == "-BHD0.500"  # three decimals
    assert sign_class("-0.01") == "neg"
    assert sign_class(0) == "zero"
    assert date(dt.date(2025, 3, 1), "de_DE") == "01.03.2025"
    assert date(dt.date(2025, 3, 1), "en_GB", "auto") == "1 Mar 2025"
