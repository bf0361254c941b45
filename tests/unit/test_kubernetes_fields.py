"""Reading back what a field manager owns from ``managedFields`` as a real API server writes it:
``f:`` fields, ``k:`` list items by key, ``v:`` set members, atomic lists and maps."""

from __future__ import annotations

from bosun.targets.kubernetes import fields

LIVE = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "WorkflowTemplate",
    "metadata": {
        "name": "p",
        "namespace": "ml-toy",
        "uid": "1",
        "resourceVersion": "7",
        "labels": {"bosun.dev/team": "toy", "added-by": "someone"},
        "finalizers": ["a", "b"],
        "managedFields": [
            {
                "manager": "bosun",
                "operation": "Apply",
                "apiVersion": "argoproj.io/v1alpha1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:metadata": {
                        "f:labels": {"f:bosun.dev/team": {}},
                        "f:finalizers": {'v:"a"': {}},
                    },
                    "f:spec": {
                        "f:templates": {
                            'k:{"name":"main"}': {".": {}, "f:name": {}, "f:dag": {}},
                        },
                        "f:arguments": {},
                    },
                },
            },
            {
                "manager": "kubectl-edit",
                "operation": "Update",
                "apiVersion": "argoproj.io/v1alpha1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {"f:added-by": {}}}},
            },
            {
                "manager": "bosun",
                "operation": "Update",
                "subresource": "status",
                "fieldsV1": {"f:status": {}},
            },
        ],
    },
    "spec": {
        "arguments": {"parameters": [{"name": "x", "value": "1"}]},
        "templates": [
            {"name": "other", "container": {"image": "busybox"}},
            {"name": "main", "dag": {"tasks": [{"name": "t", "template": "other"}]}},
        ],
    },
    "status": {"stored": True},
}


def test_owned_fields_are_the_applied_object_as_the_cluster_holds_it() -> None:
    assert fields.owned(LIVE, "bosun") == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {
            "name": "p",
            "namespace": "ml-toy",
            "labels": {"bosun.dev/team": "toy"},
            "finalizers": ["a"],
        },
        "spec": {
            "arguments": {"parameters": [{"name": "x", "value": "1"}]},
            "templates": [{"name": "main", "dag": {"tasks": [{"name": "t", "template": "other"}]}}],
        },
    }


def test_a_manager_that_owns_nothing_by_apply_owns_nothing() -> None:
    assert fields.owned(LIVE, "kubectl-edit") is None
    assert fields.owned(LIVE, "kubectl-edit", "Update") == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": "p", "namespace": "ml-toy", "labels": {"added-by": "someone"}},
    }


def test_other_managers_are_named_and_subresource_writers_are_not() -> None:
    assert fields.managers(LIVE, besides="bosun") == ["kubectl-edit"]
