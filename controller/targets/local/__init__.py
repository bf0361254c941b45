"""The local runtime: runs rendered Argo Workflows (the subset bosun emits) on this machine.

Each step is a subprocess in its own process group, with its rendered argv and env; outputs and
artifacts live under ``<state-dir>/runs/<workflow>/``. docs/local-runtime.md is the user contract.
"""
