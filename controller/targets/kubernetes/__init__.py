"""The Kubernetes target: server-side apply to a cluster with Argo Workflows and KServe, runs
as Argo ``Workflow`` objects, health read back from status. Imports the ``kubernetes`` client,
so nothing on the validate path imports this package."""
