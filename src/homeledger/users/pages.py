"""HTML pages: sign up, sign in, sign out, households, members and invitations, tokens."""

from __future__ import annotations

from typing import Annotated

from babel import Locale, UnknownLocaleError
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from homeledger.kit.errors import DomainError
from homeledger.kit.tenancy import Role
from homeledger.users import service
from homeledger.users.schemas import (
    HouseholdCreate,
    HouseholdUpdate,
    InvitationCreate,
    PersonalTokenCreate,
    UserCreate,
)
from homeledger.web import sessions
from homeledger.web.csrf import SESSION_DAYS, cookie_header, cookie_name, new_sid
from homeledger.web.deps import SessionDep, SettingsDep
from homeledger.web.forms import Errors, domain_errors, failed, validate, values
from homeledger.web.htmx import redirect, safe_next
from homeledger.web.pagectx import FormDep, PageDep, ViewerDep
from homeledger.web.templating import render

router = APIRouter(include_in_schema=False)

LOCALES = (
    "en_US",
    "en_GB",
    "en_IE",
    "de_DE",
    "de_CH",
    "fr_FR",
    "nl_NL",
    "es_ES",
    "it_IT",
    "pt_BR",
    "sv_SE",
    "da_DK",
    "nb_NO",
    "fi_FI",
    "pl_PL",
    "ja_JP",
)
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "JPY", "CAD", "AUD", "BRL")


def locale_options() -> list[tuple[str, str]]:
    return [(code, str(Locale.parse(code).display_name)) for code in LOCALES]


def _check_locale(code: str, errors: Errors) -> None:
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        errors.setdefault("locale", "Pick a format from the list.")


TOO_MANY = "Too many attempts from this address. Wait a minute, then try again."


def _throttled(request: Request, settings: SettingsDep) -> bool:
    limiter = request.app.state.web_auth_limiter
    client = request.client.host if request.client else "unknown"
    return not limiter.hit(f"web-auth:{client}", settings.rate_limit_auth_per_minute)


def _signed_in(
    request: Request,
    session: SessionDep,
    secure: bool,
    user_id: str,
    household: str | None,
    target: str,
    old_sid: str = "",
) -> Response:
    """A fresh session id at every sign-in (no fixation); the old one ends."""
    if old_sid:
        sessions.end(session, old_sid)
    sid = new_sid()
    sessions.start(session, sid, user_id, household)
    response = redirect(request, target)
    response.headers.append("set-cookie", cookie_header(sid, secure, SESSION_DAYS * 86400))
    return response


# Sign up, sign in, sign out


@router.get("/signup")
def signup_form(request: Request, next: Annotated[str, Query(max_length=500)] = "/") -> Response:
    return _signup(request, {}, {}, safe_next(next))


def _signup(request: Request, form: dict[str, str], errors: Errors, next_url: str) -> Response:
    joining = next_url.startswith("/invitations/")
    return render(
        request,
        "users/signup.html",
        {
            "form": form,
            "errors": errors,
            "next": next_url,
            "default_household": "" if joining else "Home",
            "household_hint": "Leave empty if you are joining someone else's household."
            if joining
            else "You can invite others to it later.",
            "locales": locale_options(),
            "currencies": CURRENCIES,
        },
        status_code=422 if errors else 200,
    )


@router.post("/signup")
def signup(request: Request, form: FormDep, session: SessionDep, settings: SettingsDep) -> Response:
    data = values(form)
    next_url = safe_next(data.get("next"))
    user_data, errors = validate(
        UserCreate, {k: data.get(k, "") for k in ("email", "password", "display_name")}
    )
    household_data = None
    if data.get("household_name", "").strip():
        household_data, more = validate(
            HouseholdCreate,
            {
                "name": data.get("household_name", ""),
                "base_currency": data.get("base_currency", "").upper(),
                "locale": data.get("locale", ""),
            },
            rename={"name": "household_name"},
        )
        errors.update(more)
        _check_locale(data.get("locale", ""), errors)
    if _throttled(request, settings):
        errors = {"__all__": TOO_MANY}
    if errors or user_data is None:
        return _signup(request, data, errors, next_url)
    try:
        user = service.register(session, user_data)
        household = (
            service.create_household(session, user, household_data) if household_data else None
        )
    except DomainError as error:
        failed(session, error)
        return _signup(
            request,
            data,
            domain_errors(error, {"email": "email", "base_currency": "base_currency"}),
            next_url,
        )
    target = next_url if next_url != "/" or household else "/households"
    return _signed_in(
        request,
        session,
        settings.is_production,
        user.id,
        household.id if household else None,
        target,
        request.state.web_sid,
    )


@router.get("/signin")
def signin_form(request: Request, next: Annotated[str, Query(max_length=500)] = "/") -> Response:
    return render(request, "users/signin.html", {"form": {}, "errors": {}, "next": safe_next(next)})


@router.post("/signin")
def signin(request: Request, form: FormDep, session: SessionDep, settings: SettingsDep) -> Response:
    data = values(form)
    next_url = safe_next(data.get("next"))
    if _throttled(request, settings):
        return render(
            request,
            "users/signin.html",
            {
                "form": {"email": data.get("email", "")},
                "next": next_url,
                "errors": {"__all__": TOO_MANY},
            },
            status_code=429,
        )
    try:
        user = service.authenticate(session, data.get("email", ""), data.get("password", ""))
    except DomainError as error:
        failed(session, error)
        return render(
            request,
            "users/signin.html",
            {
                "form": {"email": data.get("email", "")},
                "next": next_url,
                "errors": {"__all__": "Wrong email or password. Check both and try again."},
            },
            status_code=401,
        )
    households = service.households_of(session, user.id)
    household = households[0][0].id if households else None
    return _signed_in(
        request,
        session,
        settings.is_production,
        user.id,
        household,
        next_url,
        request.state.web_sid,
    )


@router.post("/signout")
def signout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    sessions.end(session, request.state.web_sid)
    response = redirect(request, "/signin")
    response.headers.append(
        "set-cookie",
        f"{cookie_name(settings.is_production)}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        + ("; Secure" if settings.is_production else ""),
    )
    return response


# Households


def _households(
    request: Request, viewer: ViewerDep, session: SessionDep, form: dict[str, str], errors: Errors
) -> Response:
    rows = service.households_of(session, viewer.user.id)
    return render(
        request,
        "users/households.html",
        {
            "households": rows,
            "current": viewer.row.current_household_id,
            "form": form,
            "errors": errors,
            "locales": locale_options(),
            "currencies": CURRENCIES,
        },
        viewer=viewer,
        status_code=422 if errors else 200,
    )


@router.get("/households")
def households(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    return _households(request, viewer, session, {}, {})


@router.post("/households")
def create_household(
    request: Request, viewer: ViewerDep, session: SessionDep, form: FormDep
) -> Response:
    data = values(form)
    payload = {
        "name": data.get("name", ""),
        "base_currency": data.get("base_currency", "").upper(),
        "locale": data.get("locale", ""),
    }
    parsed, errors = validate(HouseholdCreate, payload)
    _check_locale(payload["locale"], errors)
    if errors or parsed is None:
        return _households(request, viewer, session, data, errors)
    try:
        household = service.create_household(session, viewer.user, parsed)
    except DomainError as error:
        failed(session, error)
        return _households(
            request, viewer, session, data, domain_errors(error, {"base_currency": "base_currency"})
        )
    sessions.switch_household(viewer.row, household.id)
    sessions.set_flash(viewer.row, f"Created {household.name}.")
    return redirect(request, "/")


@router.post("/households/switch")
def switch_household(
    request: Request, viewer: ViewerDep, session: SessionDep, form: FormDep
) -> Response:
    household_id = values(form, "household_id")["household_id"]
    ctx = service.context_for(session, viewer.user.id, household_id)  # 404 unless a member
    sessions.switch_household(viewer.row, ctx.household_id)
    return redirect(request, "/")


@router.get("/household/settings")
def household_settings(request: Request, page: PageDep) -> Response:
    h = page.household
    form = {"name": h.name, "base_currency": h.base_currency, "locale": h.locale}
    return _settings(request, page, form, {})


def _settings(request: Request, page: PageDep, form: dict[str, str], errors: Errors) -> Response:
    page.ctx.require(Role.OWNER)
    return render(
        request,
        "users/household_settings.html",
        {"form": form, "errors": errors, "locales": locale_options(), "currencies": CURRENCIES},
        page=page,
        status_code=422 if errors else 200,
    )


@router.post("/household/settings")
def update_household(
    request: Request, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    data = values(form)
    payload = {
        "name": data.get("name", ""),
        "base_currency": data.get("base_currency", "").upper(),
        "locale": data.get("locale", ""),
    }
    parsed, errors = validate(HouseholdUpdate, payload)
    _check_locale(payload["locale"], errors)
    if errors or parsed is None:
        return _settings(request, page, data, errors)
    try:
        service.update_household(session, page.ctx, parsed)
    except DomainError as error:
        failed(session, error)
        return _settings(
            request, page, data, domain_errors(error, {"base_currency": "base_currency"})
        )
    sessions.set_flash(page.viewer.row, "Household settings saved.")
    return redirect(request, "/household/settings")


# Members and invitations


def _members(
    request: Request,
    page: PageDep,
    session: SessionDep,
    form: dict[str, str],
    errors: Errors,
    created_link: str = "",
) -> Response:
    invitations = service.invitations(session, page.ctx) if page.is_owner else []
    return render(
        request,
        "users/members.html",
        {
            "members": service.members(session, page.ctx),
            "invitations": invitations,
            "roles": [(r.value, r.value.capitalize()) for r in Role],
            "form": form,
            "errors": errors,
            "created_link": created_link,
        },
        page=page,
        status_code=422 if errors else 200,
    )


@router.get("/household/members")
def members(request: Request, page: PageDep, session: SessionDep) -> Response:
    return _members(request, page, session, {"role": "viewer"}, {})


@router.post("/household/invitations")
def invite(request: Request, page: PageDep, session: SessionDep, form: FormDep) -> Response:
    data = values(form, "email", "role")
    parsed, errors = validate(InvitationCreate, data)
    if errors or parsed is None:
        return _members(request, page, session, data, errors)
    _invitation, token = service.invite(session, page.ctx, parsed)
    link = str(request.base_url).rstrip("/") + "/invitations/accept?token=" + token
    return _members(request, page, session, {"role": "viewer"}, {}, created_link=link)


@router.post("/household/invitations/{invitation_id}/revoke")
def revoke_invitation(
    request: Request, invitation_id: str, page: PageDep, session: SessionDep
) -> Response:
    service.revoke_invitation(session, page.ctx, invitation_id)
    sessions.set_flash(page.viewer.row, "Invitation withdrawn.")
    return redirect(request, "/household/members")


@router.post("/household/members/{user_id}/role")
def change_role(
    request: Request, user_id: str, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    try:
        role = Role(values(form, "role")["role"])
    except ValueError:
        return _members(request, page, session, {}, {"__all__": "Pick a role from the list."})
    try:
        service.change_role(session, page.ctx, user_id, role)
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return _members(request, page, session, {}, {"__all__": error.detail})
    sessions.set_flash(page.viewer.row, "Role changed.")
    return redirect(request, "/household/members")


@router.post("/household/members/{user_id}/remove")
def remove_member(request: Request, user_id: str, page: PageDep, session: SessionDep) -> Response:
    try:
        service.remove_member(session, page.ctx, user_id)
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return _members(request, page, session, {}, {"__all__": error.detail})
    if user_id == page.ctx.user_id:
        sessions.switch_household(page.viewer.row, None)
        return redirect(request, "/households")
    sessions.set_flash(page.viewer.row, "Member removed.")
    return redirect(request, "/household/members")


@router.get("/invitations/accept")
def invitation(
    request: Request, session: SessionDep, token: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    row = sessions.lookup(session, getattr(request.state, "web_sid", ""))
    here = "/invitations/accept?token=" + token
    return render(
        request,
        "users/invitation.html",
        {"token": token, "signed_in": row is not None, "here": here},
    )


@router.post("/invitations/accept")
def accept_invitation(
    request: Request, viewer: ViewerDep, session: SessionDep, form: FormDep
) -> Response:
    household = service.accept_invitation(session, viewer.user, values(form, "token")["token"])
    sessions.switch_household(viewer.row, household.id)
    sessions.set_flash(viewer.row, f"You joined {household.name}.")
    return redirect(request, "/")


# Personal access tokens


def _tokens(
    request: Request,
    page: PageDep,
    session: SessionDep,
    form: dict[str, str],
    errors: Errors,
    created: str = "",
) -> Response:
    return render(
        request,
        "users/tokens.html",
        {
            "tokens": service.list_personal_tokens(session, page.viewer.user),
            "form": form,
            "errors": errors,
            "created": created,
        },
        page=page,
        status_code=422 if errors else 200,
    )


@router.get("/settings/tokens")
def tokens(request: Request, page: PageDep, session: SessionDep) -> Response:
    return _tokens(request, page, session, {"scope": "read"}, {})


@router.post("/settings/tokens")
def create_token(request: Request, page: PageDep, session: SessionDep, form: FormDep) -> Response:
    data = values(form, "name", "scope", "expires_in_days")
    scopes = ["read", "write"] if data["scope"] == "write" else ["read"]
    payload: dict[str, object] = {
        "name": data["name"],
        "scopes": scopes,
        "expires_in_days": data["expires_in_days"] or None,
    }
    parsed, errors = validate(PersonalTokenCreate, payload)
    if errors or parsed is None:
        return _tokens(request, page, session, data, errors)
    _, secret = service.create_personal_token(session, page.viewer.user, parsed)
    return _tokens(request, page, session, {"scope": "read"}, {}, created=secret)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: str, page: PageDep, session: SessionDep) -> Response:
    service.revoke_personal_token(session, page.viewer.user, token_id)
    sessions.set_flash(page.viewer.row, "Token revoked; it no longer works.")
    return redirect(request, "/settings/tokens")
