"""Manifests + environment → Argo Workflows, Kubernetes quota objects and KServe
InferenceServices (pure). ``from bosun import render``, then ``render.render(...)``.
docs/render.md maps every field; docs/internals/execution-contract.md is the runtimes' view."""

from __future__ import annotations

from bosun.render.context import (
    ModelResolver,
    RenderError,
    RenderOptions,
    ResolvedModel,
    Source,
    StaticResolver,
)
from bosun.render.engine import KIND_ORDER, Result, Run, render, render_experiment, render_result

__all__ = [
    "KIND_ORDER",
    "ModelResolver",
    "RenderError",
    "RenderOptions",
    "ResolvedModel",
    "Result",
    "Run",
    "Source",
    "StaticResolver",
    "render",
    "render_experiment",
    "render_result",
]
