"""Passwords (argon2id), opaque tokens (stored as SHA-256), JWT access tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from homeledger.kit.errors import Unauthorized

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
JWT_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token(prefix: str) -> str:
    """An opaque bearer token; the prefix tells its kind in logs and leaks scanners."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(token: str) -> str:
    """Tokens are stored only as digests: a database leak reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def issue_access_token(user_id: str, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {"sub": user_id, "typ": "access", "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def read_access_token(token: str, secret: str) -> str:
    """The user id of a valid access token."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the access token has expired; refresh it") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("the access token is not valid") from None
    if claims.get("typ") != "access":
        raise Unauthorized("the token is not an access token")
    return str(claims["sub"])
