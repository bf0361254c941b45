"""The registry of cross-document checks, in reporting order."""

from __future__ import annotations

from bosun.validate import base

ALL: tuple[base.Check, ...] = ()
