"""Value types of the v1alpha1 spec: names, Kubernetes quantities, durations, cron, images.

Each type validates with a precise message (raised as a ``PydanticCustomError`` whose type is the
diagnostic code) and declares the JSON Schema that expresses as much of the rule as JSON Schema can.
"""

from __future__ import annotations

import decimal
import re
import typing
from typing import Annotated, Any

from bosun import diagnostics
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

INVALID = "BOS204"


def _constrained(
    pattern: str, what: str, *, max_length: int | None = None, hint: str | None = None
) -> tuple[AfterValidator, WithJsonSchema]:
    """A string rule with our own message, and the same rule as a JSON Schema pattern."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value) or (max_length is not None and len(value) > max_length):
            message = f"{diagnostics.quote(value)} is not {what}"
            if hint:
                message = f"{message}: {hint}"
            raise PydanticCustomError(INVALID, message)
        return value

    schema: dict[str, Any] = {"type": "string", "pattern": pattern}
    if max_length is not None:
        schema["maxLength"] = max_length
    return AfterValidator(check), WithJsonSchema(schema)


DNS_LABEL_RE = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNSLabel = Annotated[
    str,
    *_constrained(
        DNS_LABEL_RE,
        "a DNS-1123 label",
        max_length=63,
        hint="use lowercase letters, digits and '-', start and end with a letter or digit, "
        "at most 63 characters",
    ),
]
"""Names of manifests, steps, teams and environments: they become Kubernetes names."""

INFERENCE_SERVICE_NAME_RE = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
INFERENCE_SERVICE_NAME_MAX = 45
InferenceServiceName = Annotated[
    str,
    *_constrained(
        INFERENCE_SERVICE_NAME_RE,
        "a name KServe accepts for an InferenceService",
        max_length=INFERENCE_SERVICE_NAME_MAX,
        hint="start with a lowercase letter, then lowercase letters, digits and '-', end with a "
        f"letter or digit, at most {INFERENCE_SERVICE_NAME_MAX} characters",
    ),
]
"""ServingTarget names: KServe's webhook refuses an InferenceService name that does not match
``IsvcNameFmt`` (``[a-z]([-a-z0-9]*[a-z0-9])?``: a letter first), and KServe names the
Kubernetes Services it creates ``<name>-predictor-default`` and ``<name>-predictor-canary``,
which must fit in 63 characters: 45 for the name."""

DNS_SUBDOMAIN_RE = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
DNSSubdomain = Annotated[
    str, *_constrained(DNS_SUBDOMAIN_RE, "a DNS-1123 subdomain", max_length=253)
]

IDENTIFIER_RE = r"^[A-Za-z_][A-Za-z0-9_]*$"
Identifier = Annotated[
    str,
    *_constrained(
        IDENTIFIER_RE,
        "a valid name",
        max_length=128,
        hint="use letters, digits and '_', not starting with a digit",
    ),
]
"""Parameter, input, output and environment variable names."""

MODEL_NAME_RE = r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$"
ModelName = Annotated[
    str, *_constrained(MODEL_NAME_RE, "a valid registered model name", max_length=128)
]

METRIC_RE = r"^[A-Za-z_][A-Za-z0-9_.-]*$"
MetricName = Annotated[str, *_constrained(METRIC_RE, "a valid metric name", max_length=250)]

ALIAS_RE = r"^(?!latest$)(?!v[0-9]+$)[A-Za-z_][A-Za-z0-9_-]*$"
RegistryAlias = Annotated[
    str,
    *_constrained(
        ALIAS_RE,
        "a valid MLflow registry alias",
        max_length=255,
        hint="'latest' and 'v<number>' are reserved by MLflow",
    ),
]

BRANCH_RE = r"^(?![/.])(?!.*\.\.)(?!.*//)(?!.*@\{)[A-Za-z0-9._/-]+(?<![/.])(?<!\.lock)$"
BranchName = Annotated[str, *_constrained(BRANCH_RE, "a valid git branch name", max_length=255)]

OWNER_RE = r"^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$"
Owner = Annotated[
    str,
    *_constrained(OWNER_RE, "a CODEOWNERS owner", hint="use @org/team, @user or an email address"),
]

SECRET_KEY_RE = r"^[-._a-zA-Z0-9]+$"
SecretKey = Annotated[str, *_constrained(SECRET_KEY_RE, "a valid Secret key", max_length=253)]

MODEL_VERSION_RE = r"^(latest|[1-9][0-9]*)$"


def _scalar_to_str(value: Any) -> Any:
    """YAML users write ``max_depth: 6``; parameters are strings, as in Argo."""
    if isinstance(value, bool):
        raise PydanticCustomError(
            "BOS203",
            "expected a string, got a boolean: YAML reads yes/no/on/off/true/false as booleans; "
            "quote the value",
        )
    if isinstance(value, int | float):
        return str(value)
    return value


ParamValue = Annotated[
    str,
    BeforeValidator(_scalar_to_str),
    WithJsonSchema({"type": ["string", "integer", "number"]}),
]
"""A parameter value: a string, or a number written without quotes."""

ModelVersion = Annotated[
    str,
    BeforeValidator(_scalar_to_str),
    *_constrained(
        MODEL_VERSION_RE, "a model version", hint="use a registry version number or 'latest'"
    )[:1],
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": MODEL_VERSION_RE},
                {"type": "integer", "minimum": 1},
            ]
        }
    ),
]


# --- Kubernetes quantities -------------------------------------------------------------------

QUANTITY_RE = (
    r"^(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))"
    r"(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)
_QUANTITY = re.compile(QUANTITY_RE)
_SUFFIX = {
    "": decimal.Decimal(1),
    "n": decimal.Decimal("1e-9"),
    "u": decimal.Decimal("1e-6"),
    "m": decimal.Decimal("1e-3"),
    "k": decimal.Decimal("1e3"),
    "M": decimal.Decimal("1e6"),
    "G": decimal.Decimal("1e9"),
    "T": decimal.Decimal("1e12"),
    "P": decimal.Decimal("1e15"),
    "E": decimal.Decimal("1e18"),
    "Ki": decimal.Decimal(2**10),
    "Mi": decimal.Decimal(2**20),
    "Gi": decimal.Decimal(2**30),
    "Ti": decimal.Decimal(2**40),
    "Pi": decimal.Decimal(2**50),
    "Ei": decimal.Decimal(2**60),
}
_NUMBER_PREFIX = re.compile(r"^(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))")


def quantity_value(quantity: str) -> decimal.Decimal:
    """The numeric value of a valid quantity (``"500m"`` → 0.5, ``"1Gi"`` → 1073741824)."""
    number = _NUMBER_PREFIX.match(quantity)
    if number is None:
        raise ValueError(f"not a quantity: {quantity!r}")
    digits, suffix = number.group(0), quantity[number.end() :]
    if suffix in _SUFFIX:  # before exponents: "1E" is exa and "1Ei" exbi, not 1e<missing>
        return decimal.Decimal(digits) * _SUFFIX[suffix]
    return decimal.Decimal(digits + suffix)


def _quantity_hint(value: str) -> str:
    unit = re.sub(r"^[0-9.\s]+", "", value)
    number = value[: len(value) - len(unit)].strip() or "1"
    binary = {
        "kb": "Ki",
        "kib": "Ki",
        "mb": "Mi",
        "mib": "Mi",
        "gb": "Gi",
        "gib": "Gi",
        "tb": "Ti",
        "tib": "Ti",
        "pb": "Pi",
        "pib": "Pi",
    }
    if unit.lower() in binary:
        return f"did you mean {number}{binary[unit.lower()]}?"
    if unit.lower() in ("core", "cores", "cpu", "cpus"):
        return f"did you mean {number}?"
    return "use Kubernetes syntax such as 500m, 2, 512Mi or 4Gi"


def _check_quantity(value: Any) -> str:
    if isinstance(value, bool):
        raise PydanticCustomError("BOS203", "expected a quantity, got a boolean")
    if isinstance(value, int | float):
        if value < 0:
            raise PydanticCustomError(INVALID, "a quantity may not be negative")
        value = str(value)
    if not isinstance(value, str):
        raise PydanticCustomError("BOS203", "expected a quantity such as 500m or 4Gi")
    if not _QUANTITY.fullmatch(value):
        raise PydanticCustomError(
            INVALID,
            "{value} is not a Kubernetes quantity: {hint}",
            {"value": diagnostics.quote(value), "hint": _quantity_hint(value)},
        )
    return value


Quantity = Annotated[
    str,
    BeforeValidator(_check_quantity),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "pattern": QUANTITY_RE}, {"type": "number", "minimum": 0}]}
    ),
]
"""A Kubernetes resource quantity (``500m``, ``2``, ``4Gi``), kept as its canonical string."""


# --- durations ---------------------------------------------------------------------------------

DURATION_RE = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"
DURATION_SCHEMA_RE = r"^(?=.*[1-9])([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"
"""The JSON Schema's form of the rule: a digit other than 0 somewhere means longer than zero."""
_DURATION = re.compile(DURATION_RE)
_DURATION_PART = re.compile(r"([0-9]+)(?:\.([0-9]+))?(ms|s|m|h)")
_SECOND = 10**9
_UNIT_NANOSECONDS = {"ms": 10**6, "s": _SECOND, "m": 60 * _SECOND, "h": 3600 * _SECOND}
MAX_DURATION_DAYS = 366
MAX_DURATION_NANOSECONDS = MAX_DURATION_DAYS * 86400 * _SECOND
"""The longest timeout or retry backoff: a year. Argo's fields hold int64 seconds or Go durations
(int64 nanoseconds, 292 years); nothing a pipeline waits for legitimately comes near either."""
_DIGITS = 18
"""Digits of a number that matter: more would exceed the bound, or be finer than a nanosecond
(Python also refuses ``int()`` of thousands of digits)."""


def duration_nanoseconds(duration: str) -> int:
    """The length of a valid duration string, exactly, in integers, rounded up to a nanosecond
    (``1.5h`` → 5_400_000_000_000). A whole part too long to matter reads as over the bound."""
    total = 0
    for digits_before, fraction, unit in _DURATION_PART.findall(duration):
        scale = _UNIT_NANOSECONDS[unit]
        whole = digits_before.lstrip("0") or "0"
        if len(whole) > _DIGITS:
            return MAX_DURATION_NANOSECONDS + 1
        total += int(whole) * scale
        if fraction.strip("0"):
            digits = fraction[:_DIGITS]
            total += max(1, -(-int(digits) * scale // 10 ** len(digits)))
    return total


def duration_seconds(duration: str) -> float:
    """Seconds, for display and arithmetic; ``duration_nanoseconds`` is the exact length."""
    return duration_nanoseconds(duration) / _SECOND


def _check_duration(value: Any) -> str:
    if isinstance(value, str) and _DURATION.fullmatch(value):
        length = duration_nanoseconds(value)
        if length <= 0:
            raise PydanticCustomError(INVALID, "a duration must be longer than zero")
        if length > MAX_DURATION_NANOSECONDS:
            raise PydanticCustomError(
                INVALID,
                "{value} is longer than {days} days, the longest timeout or backoff bosun accepts",
                {"value": diagnostics.quote(value), "days": MAX_DURATION_DAYS},
            )
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError(
            INVALID,
            "{value} has no unit: write it as a duration such as {value}s",
            {"value": diagnostics.shorten(str(value))},
        )
    raise PydanticCustomError(
        INVALID,
        "{value} is not a duration: use a number and a unit (ms, s, m, h), as in 30s or 1h30m",
        {"value": diagnostics.quote(value)},
    )


Duration = Annotated[
    str,
    BeforeValidator(_check_duration),
    WithJsonSchema({"type": "string", "pattern": DURATION_SCHEMA_RE}),
]
"""A Go-style duration (``10s``, ``30m``, ``1h30m``), as Argo writes them."""


# --- cron --------------------------------------------------------------------------------------

_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    (
        "month",
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(
                ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            )
        },
    ),
    (
        "day of week",
        0,
        7,
        {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])},
    ),
)
CRON_DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
CRON_RE = r"^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$"


def _cron_value(token: str, low: int, high: int, names: dict[str, int]) -> int:
    number = names.get(token.lower()) if names else None
    if number is None:
        if not token.isdigit():
            raise ValueError(f"{diagnostics.quote(token)} is not a number")
        number = int(token)
    if not low <= number <= high:
        raise ValueError(f"{number} is outside {low}-{high}")
    return number


def _check_cron_field(text: str, low: int, high: int, names: dict[str, int]) -> None:
    for item in text.split(","):
        base, _, step = item.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            raise ValueError(f"step '{step}' must be a positive number")
        if base == "*":
            continue
        start, dash, end = base.partition("-")
        first = _cron_value(start, low, high, names)
        if dash and _cron_value(end, low, high, names) < first:
            raise ValueError(f"range {diagnostics.quote(base)} runs backwards")


def _check_cron(value: str) -> str:
    if value.strip() in CRON_DESCRIPTORS:
        return value
    fields = value.split()
    if len(fields) != 5:
        raise PydanticCustomError(
            INVALID,
            "{value} is not a 5-field cron expression (minute hour day-of-month month "
            "day-of-week), as in '0 3 * * *', nor one of @yearly, @annually, @monthly, @weekly, "
            "@daily, @midnight, @hourly",
            {"value": diagnostics.quote(value)},
        )
    for text, (what, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        try:
            _check_cron_field(text, low, high, names)
        except ValueError as error:
            raise PydanticCustomError(
                INVALID,
                "cron {what} field {text}: {reason}",
                {"what": what, "text": diagnostics.quote(text), "reason": str(error)},
            ) from None
    return value


Cron = Annotated[
    str, AfterValidator(_check_cron), WithJsonSchema({"type": "string", "pattern": CRON_RE})
]
"""A 5-field cron schedule, or one of ``CRON_DESCRIPTORS`` (``@daily``), as Argo's CronWorkflow
reads them; in UTC."""


# --- image references --------------------------------------------------------------------------

IMAGE_RE = (
    r"^(?:(?P<registry>(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)/)?"
    r"(?P<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)
_IMAGE = re.compile(IMAGE_RE)
IMAGE_SCHEMA_RE = re.sub(r"\(\?P<\w+>", "(?:", IMAGE_RE)
"""``IMAGE_RE`` without Python's named groups, which ECMA-262 (JSON Schema's regex) lacks."""


class ImageReference(typing.NamedTuple):
    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def pinned(self) -> bool:
        return self.digest is not None

    @property
    def name(self) -> str:
        """``registry/repository`` without tag or digest, for allowed-registry checks."""
        return f"{self.registry}/{self.repository}"


def parse_image(reference: str) -> ImageReference:
    """Split a valid image reference. A first path component without '.', ':' or 'localhost'
    is a Docker Hub namespace, as Docker reads it."""
    match = _IMAGE.fullmatch(reference)
    if match is None:
        raise ValueError(f"not an image reference: {reference!r}")
    registry, repository = match.group("registry"), match.group("repository")
    if registry and "." not in registry and ":" not in registry and registry != "localhost":
        repository, registry = f"{registry}/{repository}", None
    if registry is None:
        registry = "docker.io"
        if "/" not in repository:
            repository = f"library/{repository}"
    return ImageReference(registry, repository, match.group("tag"), match.group("digest"))


def _check_image(value: str) -> str:
    if not _IMAGE.fullmatch(value):
        hint = "use registry/repository[:tag][@sha256:<64 hex digits>]"
        if value != value.lower() and _IMAGE.fullmatch(value.lower()):
            hint = "repository names are lowercase"
        raise PydanticCustomError(
            INVALID,
            "{value} is not an image reference: {hint}",
            {"value": diagnostics.quote(value), "hint": hint},
        )
    return value


Image = Annotated[
    str,
    AfterValidator(_check_image),
    WithJsonSchema({"type": "string", "pattern": IMAGE_SCHEMA_RE}),
]
"""An OCI image reference; policy may require the ``@sha256:`` digest form."""


# --- paths ---------------------------------------------------------------------------------------

RELATIVE_PATH_RE = r"^(?!/)(?!.*(^|/)\.\.(/|$))[^\x00]+$"


def _check_output_path(value: str) -> str:
    parts = value.replace("\\", "/").split("/")
    if value.startswith(("/", "\\")) or ".." in parts or not value.strip():
        raise PydanticCustomError(
            "BOS402",
            "{value} leaves $BOSUN_OUTPUTS: fromFile is a path relative to the step's output "
            "directory and may not be absolute or contain '..'",
            {"value": diagnostics.quote(value)},
        )
    return value


OutputPath = Annotated[
    str,
    AfterValidator(_check_output_path),
    WithJsonSchema({"type": "string", "pattern": RELATIVE_PATH_RE}),
]
