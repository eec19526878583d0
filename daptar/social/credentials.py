"""Channel credentials encrypted at rest (Fernet), with keys from settings.

DAPTAR_SOCIAL_KEY holds one or more Fernet keys, newest first: MultiFernet
encrypts with the first and decrypts with any, so a key is rotated by putting the
new one in front. Without it a development key is derived from SECRET_KEY; a
deployment sets its own key, since SECRET_KEY rotation would lose every token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

logger = logging.getLogger("daptar.social")


def _keys() -> list[bytes]:
    configured = [k.encode() for k in getattr(settings, "DAPTAR_SOCIAL_KEY", []) if k]
    if configured:
        return configured
    digest = hashlib.sha256(b"daptar.social.credentials:" + settings.SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def uses_derived_key() -> bool:
    return not any(getattr(settings, "DAPTAR_SOCIAL_KEY", []))


def seal(values: dict[str, Any]) -> str:
    """The credentials as one Fernet token (text), for SocialChannel.secret."""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def unseal(token: str) -> dict[str, Any]:
    """The credentials back; an empty dict when there are none or no key opens them."""
    if not token:
        return {}
    try:
        return dict(json.loads(_fernet().decrypt(token.encode())))
    except (InvalidToken, ValueError):
        logger.error("social credentials could not be decrypted: is DAPTAR_SOCIAL_KEY right?")
        return {}
