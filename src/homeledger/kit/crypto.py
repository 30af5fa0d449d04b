"""Field encryption at rest (AES-256-GCM).

Stored form: b"v1" + 12-byte nonce + ciphertext-with-tag. The version prefix lets key
rotation re-encrypt rows one by one while both keys are known.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"v1"
_NONCE_BYTES = 12


class DecryptionError(ValueError):
    """The ciphertext was not made with this key, or it was altered."""


def encrypt(key: bytes, plaintext: str, associated: bytes = b"") -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), associated)


def decrypt(key: bytes, blob: bytes, associated: bytes = b"") -> str:
    if not blob.startswith(_VERSION):
        raise DecryptionError("unknown ciphertext version")
    nonce = blob[len(_VERSION) : len(_VERSION) + _NONCE_BYTES]
    body = blob[len(_VERSION) + _NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, associated).decode()
    except InvalidTag:
        raise DecryptionError("ciphertext does not match the key") from None


def mask(value: str, visible: int = 4) -> str:
    """'DE89370400440532013000' -> '••••3000'."""
    tail = value[-visible:] if len(value) > visible else value
    return "••••" + tail
