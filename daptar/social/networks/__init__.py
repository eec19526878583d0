"""Connectors to the three networks, one module each, all through httpx (base.client)."""

from __future__ import annotations

from daptar.social.networks.base import (
    CannotCheck,
    ChannelBroken,
    Connector,
    Content,
    Duplicate,
    NetworkError,
    PhotoRef,
    Posted,
    Refused,
    Temporary,
    Uncertain,
)


def connector_for(kind: str, target: str, credentials: dict[str, str]) -> Connector:
    from daptar.social.networks import facebook, telegram, x

    classes: dict[str, type[Connector]] = {
        "facebook": facebook.Facebook,
        "telegram": telegram.Telegram,
        "x": x.X,
    }
    return classes[kind](target, credentials)


__all__ = [
    "CannotCheck",
    "ChannelBroken",
    "Connector",
    "Content",
    "Duplicate",
    "NetworkError",
    "PhotoRef",
    "Posted",
    "Refused",
    "Temporary",
    "Uncertain",
    "connector_for",
]
