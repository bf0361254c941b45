"""Value types of the v1alpha1 spec: quantities, durations, cron, images, names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pydantic
import pytest
from bosun.spec.v1alpha1 import common, experiment, types


def errors(annotation: Any, value: Any) -> list[tuple[str, str]]:
    adapter = pydantic.TypeAdapter(annotation)
    try:
        adapter.validate_python(value, strict=True)
    except pydantic.ValidationError as error:
        return [(e["type"], e["msg"]) for e in error.errors()]
    return []


@pytest.mark.parametrize(
    ("quantity", "value"),
    [
        ("500m", Decimal("0.5")),
        ("2", Decimal(2)),
        ("1.5", Decimal("1.5")),
        (".5", Decimal("0.5")),
        ("4Gi", Decimal(4 * 2**30)),
        ("512Mi", Decimal(512 * 2**20)),
        ("1k", Decimal(1000)),
        ("1Ki", Decimal(1024)),
        ("2G", Decimal(2 * 10**9)),
        ("1e3", Decimal(1000)),
        ("1E-3", Decimal("0.001")),
        ("100n", Decimal("1E-7")),
        ("1Ei", Decimal(2**60)),
        ("2E", Decimal(2 * 10**18)),
        ("1e2", Decimal(100)),
    ],
)
def test_quantity_values(quantity: str, value: Decimal) -> None:
    assert errors(types.Quantity, quantity) == []
    assert types.quantity_value(quantity) == value


def test_equal_quantities_compare_equal() -> None:
    assert types.quantity_value("1000m") == types.quantity_value("1")
    assert types.quantity_value("1024Mi") == types.quantity_value("1Gi")
    assert types.quantity_value("1G") < types.quantity_value("1Gi")


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("4GB", "did you mean 4Gi?"),
        ("512MB", "did you mean 512Mi?"),
        ("1 gib", "did you mean 1Gi?"),
        ("2cores", "did you mean 2?"),
        ("lots", "use Kubernetes syntax such as 500m, 2, 512Mi or 4Gi"),
        ("4gi", "use Kubernetes syntax such as 500m, 2, 512Mi or 4Gi"),
        ("-1", "use Kubernetes syntax such as 500m, 2, 512Mi or 4Gi"),
    ],
)
def test_invalid_quantities_say_what_was_meant(value: str, hint: str) -> None:
    ((code, message),) = errors(types.Quantity, value)
    assert code == "BOS204"
    assert message.endswith(hint), message


def test_numbers_are_quantities_but_not_negative_or_booleans() -> None:
    assert errors(types.Quantity, 2) == []
    assert errors(types.Quantity, 0.5) == []
    assert errors(types.Quantity, -1)[0][0] == "BOS204"
    assert errors(types.Quantity, True)[0][0] == "BOS203"
    assert errors(types.Quantity, [1])[0][0] == "BOS203"


def test_resources_compare_in_common_units() -> None:
    resources = common.Resources.model_validate({"cpu": 2, "memory": "1Gi", "gpu": 1})
    assert resources.amounts() == {"cpu": Decimal(2), "memory": Decimal(2**30), "gpu": Decimal(1)}
    merged = common.Resources(cpu="1").merged_over(common.Resources(cpu="4", memory="2Gi"))
    assert (merged.cpu, merged.memory) == ("1", "2Gi")


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        ("10s", 10),
        ("30m", 1800),
        ("1h30m", 5400),
        ("250ms", 0.25),
        ("1.5h", 5400),
        ("2h0m5s", 7205),
        ("8784h", 366 * 86400),
        ("0.000000001s", 1e-9),
        ("0.0000000001s", 1e-9),
    ],
)
def test_durations(duration: str, seconds: float) -> None:
    assert errors(types.Duration, duration) == []
    assert types.duration_seconds(duration) == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (600, "600 has no unit: write it as a duration such as 600s"),
        ("0s", "a duration must be longer than zero"),
        ("10 s", "'10 s' is not a duration"),
        ("1d", "'1d' is not a duration"),
        ("-5s", "'-5s' is not a duration"),
        (True, "True is not a duration"),
        ("99999999999999999999999999h", "'99999999999999999999999999h' is longer than 366 days"),
        ("8784h1ms", "'8784h1ms' is longer than 366 days"),
        ("367d", "'367d' is not a duration"),
        ("1" * 5000 + "s", "'111"),
    ],
)
def test_invalid_durations(value: Any, message: str) -> None:
    ((code, text),) = errors(types.Duration, value)
    assert code == "BOS204"
    assert text.startswith(message), text
    assert len(text) < 300


def test_durations_are_exact_integers() -> None:
    assert types.duration_nanoseconds("1.5h") == 5_400 * 10**9
    assert types.duration_nanoseconds("0.1s") == 10**8  # 0.1 is no float here
    assert types.duration_nanoseconds("1h30m0.25s") == 5_400_250_000_000
    assert types.duration_nanoseconds("8784h") == types.MAX_DURATION_NANOSECONDS
    long_fraction = "1." + "0" * 5000 + "1s"  # past the nanoseconds, but still longer than 1s
    assert errors(types.Duration, long_fraction) == []
    assert types.duration_nanoseconds(long_fraction) == 10**9 + 1


@pytest.mark.parametrize(
    "cron",
    [
        "0 3 * * *",
        "*/15 * * * *",
        "0 0 1 jan *",
        "0 9-17 * * mon-fri",
        "5,35 * * * 0",
        "0 0 * * 7",
        "@daily",
        "@hourly",
        "0 0 29 2 *",
        "0-59/5 0-23 1-31 1-12 0-7",
    ],
)
def test_valid_cron(cron: str) -> None:
    assert errors(types.Cron, cron) == []


def test_every_cron_macro_is_accepted_and_documented() -> None:
    """Argo's CronWorkflow (robfig/cron) reads these; the reference names each of them."""
    description = experiment.ExperimentSpec.model_fields["schedule"].description or ""
    for macro in types.CRON_DESCRIPTORS:
        assert errors(types.Cron, macro) == [], macro
        assert f"`{macro}`" in description, macro
    ((_, message),) = errors(types.Cron, "@weekdays")
    assert "@daily" in message


@pytest.mark.parametrize(
    ("cron", "fragment"),
    [
        ("0 24 * * *", "cron hour field '24': 24 is outside 0-23"),
        ("60 * * * *", "cron minute field '60': 60 is outside 0-59"),
        ("0 0 0 * *", "cron day of month field '0': 0 is outside 1-31"),
        ("0 0 * 13 *", "cron month field '13': 13 is outside 1-12"),
        ("0 0 * * 8", "cron day of week field '8': 8 is outside 0-7"),
        ("0 0 * * fri-mon", "range 'fri-mon' runs backwards"),
        ("*/0 * * * *", "step '0' must be a positive number"),
        ("0 3 * *", "is not a 5-field cron expression"),
        ("0 3 * * * *", "is not a 5-field cron expression"),
        ("@weekdays", "is not a 5-field cron expression"),
        ("x * * * *", "'x' is not a number"),
    ],
)
def test_invalid_cron(cron: str, fragment: str) -> None:
    ((code, message),) = errors(types.Cron, cron)
    assert code == "BOS204"
    assert fragment in message, message


@pytest.mark.parametrize(
    ("image", "registry", "repository", "tag", "pinned"),
    [
        ("python:3.11", "docker.io", "library/python", "3.11", False),
        ("acme/ml", "docker.io", "acme/ml", None, False),
        ("ghcr.io/acme/ml:1.0", "ghcr.io", "acme/ml", "1.0", False),
        ("ghcr.io/acme/ml@sha256:" + "a" * 64, "ghcr.io", "acme/ml", None, True),
        ("ghcr.io/acme/ml:1.0@sha256:" + "0" * 64, "ghcr.io", "acme/ml", "1.0", True),
        ("localhost:5000/ml:dev", "localhost:5000", "ml", "dev", False),
        ("localhost/ml", "localhost", "ml", None, False),
        ("registry.acme.example:443/a/b/c:v1", "registry.acme.example:443", "a/b/c", "v1", False),
    ],
)
def test_image_references(
    image: str, registry: str, repository: str, tag: str | None, pinned: bool
) -> None:
    assert errors(types.Image, image) == []
    reference = types.parse_image(image)
    assert (reference.registry, reference.repository, reference.tag, reference.pinned) == (
        registry,
        repository,
        tag,
        pinned,
    )
    assert reference.name == f"{registry}/{repository}"


@pytest.mark.parametrize(
    ("image", "hint"),
    [
        ("ghcr.io/Acme/ML:1.0", "repository names are lowercase"),
        ("ghcr.io/acme/ml@sha256:abc", "use registry/repository[:tag][@sha256:<64 hex digits>]"),
        ("ghcr.io/acme/ml:", "use registry/repository[:tag][@sha256:<64 hex digits>]"),
        ("", "use registry/repository[:tag][@sha256:<64 hex digits>]"),
        (
            "ghcr.io/acme/ml@md5:" + "a" * 32,
            "use registry/repository[:tag][@sha256:<64 hex digits>]",
        ),
    ],
)
def test_invalid_images(image: str, hint: str) -> None:
    ((code, message),) = errors(types.Image, image)
    assert code == "BOS204" and message.endswith(hint)


@pytest.mark.parametrize(
    ("annotation", "good", "bad"),
    [
        (types.DNSLabel, ["a", "train-1", "x" * 63], ["A", "-a", "a-", "a_b", "a.b", "x" * 64, ""]),
        (types.DNSSubdomain, ["a.b-c", "db"], ["a..b", ".a", "A"]),
        (
            types.InferenceServiceName,
            ["a", "wine-api", "api-2", "a" * 45],
            ["1api", "2", "a" * 46, "-a", "a-", "Api", "a_b"],
        ),
        (types.Identifier, ["n_estimators", "_x", "X1"], ["1x", "a-b", "a.b", ""]),
        (types.ModelName, ["wine-classifier", "Model.v2", "a"], ["-a", "a b", "a/b"]),
        (types.MetricName, ["accuracy", "val.loss", "f1_score"], ["1acc", "a b"]),
        (types.RegistryAlias, ["production", "staging_2"], ["latest", "v3", "1x"]),
        (types.BranchName, ["main", "release/gpu", "v1.2"], ["a..b", "/a", "a/", "x.lock", "a//b"]),
        (types.Owner, ["@acme/ml-team", "@alice", "lead@acme.example"], ["acme", "@", "a@b"]),
        (
            types.OutputPath,
            ["metrics/accuracy", "a..b", "x"],
            ["/etc/passwd", "../x", "a/../../b", " "],
        ),
    ],
)
def test_names(annotation: Any, good: list[str], bad: list[str]) -> None:
    for value in good:
        assert errors(annotation, value) == [], value
    for value in bad:
        assert errors(annotation, value) != [], value


def test_fromfile_may_not_leave_the_outputs_directory() -> None:
    ((code, message),) = errors(types.OutputPath, "../../etc/passwd")
    assert code == "BOS402"
    assert "leaves $BOSUN_OUTPUTS" in message


@pytest.mark.parametrize(("value", "expected"), [(6, "6"), (0.25, "0.25"), ("x", "x")])
def test_parameter_values_accept_numbers_as_strings(value: Any, expected: str) -> None:
    assert pydantic.TypeAdapter(types.ParamValue).validate_python(value, strict=True) == expected


def test_parameter_values_refuse_yaml_booleans_with_a_hint() -> None:
    ((code, message),) = errors(types.ParamValue, True)
    assert code == "BOS203" and "quote the value" in message


@pytest.mark.parametrize(
    ("value", "ok"), [("latest", True), ("3", True), (7, True), ("0", False), ("v3", False)]
)
def test_model_versions(value: Any, ok: bool) -> None:
    assert (errors(types.ModelVersion, value) == []) is ok
