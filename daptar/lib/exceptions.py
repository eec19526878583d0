"""Exceptions actions raise besides Django's own ValidationError and PermissionDenied."""


class Conflict(Exception):
    """The change was already made (a double click, a stale page): 409, nothing written."""
