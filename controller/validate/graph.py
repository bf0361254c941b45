"""The DAG of one pipeline: step lookup, each step's outputs, ancestors and dependency cycles.

Pure graph algorithms over step names; unknown ``dependsOn`` names are left out of the graph
(they are reported by the dag check).
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable

from bosun.spec import v1alpha1


class StepOutputs(typing.NamedTuple):
    """The outputs a step declares; ``known`` is False when its template could not be found."""

    parameters: frozenset[str]
    artifacts: frozenset[str]
    known: bool = True

    def names(self) -> frozenset[str]:
        return self.parameters | self.artifacts


UNKNOWN = StepOutputs(frozenset(), frozenset(), known=False)


@dataclasses.dataclass(frozen=True)
class PipelineGraph:
    positions: dict[str, int]
    """Step name → index of its first declaration in ``spec.steps``."""
    edges: dict[str, tuple[str, ...]]
    """Step name → the existing steps it depends on, in declaration order."""
    outputs: dict[str, StepOutputs]
    _ancestors: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)

    def ancestors(self, step: str) -> frozenset[str]:
        """Every step that finishes before ``step`` starts (transitively), cycles tolerated."""
        found = self._ancestors.get(step)
        if found is None:
            found = self._ancestors[step] = _ancestors(self, step)
        return found

    def cycles(self) -> list[list[str]]:
        """One cycle per strongly connected component that has one, as a closed walk
        ``[a, b, c, a]`` (a depends on b, ...), starting at its earliest-declared step."""
        return self._cycles

    @functools.cached_property
    def _cycles(self) -> list[list[str]]:
        positions = self.positions
        if all(positions[d] < positions[step] for step, needs in self.edges.items() for d in needs):
            return []  # every step depends only on steps declared before it: no cycle possible
        found: list[list[str]] = []
        for component in _components(self.edges):
            members = set(component)
            first = min(component, key=self.positions.__getitem__)
            if len(component) == 1 and first not in self.edges[first]:
                continue
            found.append(_cycle_from(first, members, self.edges))
        return sorted(found, key=lambda cycle: self.positions[cycle[0]])

    def on_cycle(self) -> frozenset[str]:
        return frozenset(step for cycle in self.cycles() for step in cycle)


def build(
    pipeline: v1alpha1.Pipeline,
    template_of: Callable[[v1alpha1.pipeline.Step], v1alpha1.StepTemplate | None],
) -> PipelineGraph:
    positions: dict[str, int] = {}
    for index, step in enumerate(pipeline.spec.steps):
        positions.setdefault(step.name, index)
    edges: dict[str, tuple[str, ...]] = {}
    outputs: dict[str, StepOutputs] = {}
    for step in pipeline.spec.steps:
        if step.name in edges:
            continue
        edges[step.name] = tuple(dict.fromkeys(d for d in step.dependsOn if d in positions))
        outputs[step.name] = _outputs(step, template_of)
    return PipelineGraph(positions, edges, outputs)


def _outputs(
    step: v1alpha1.pipeline.Step,
    template_of: Callable[[v1alpha1.pipeline.Step], v1alpha1.StepTemplate | None],
) -> StepOutputs:
    declared = step.outputs
    if step.template is not None:
        template = template_of(step)
        if template is None:
            return UNKNOWN
        declared = template.spec.outputs
    return StepOutputs(
        frozenset(p.name for p in declared.parameters),
        frozenset(a.name for a in declared.artifacts),
    )


def _ancestors(graph: PipelineGraph, step: str) -> frozenset[str]:
    seen: set[str] = set()
    stack = list(graph.edges.get(step, ()))
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(graph.edges.get(current, ()))
    return frozenset(seen)


def _components(edges: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            successors = edges[node]
            if child < len(successors):
                work.append((node, child + 1))
                successor = successors[child]
                if successor not in index:
                    work.append((successor, 0))
                elif successor in on_stack:
                    low[node] = min(low[node], index[successor])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _cycle_from(first: str, members: set[str], edges: dict[str, tuple[str, ...]]) -> list[str]:
    """A shortest closed walk from ``first`` back to itself inside its component (BFS)."""
    previous: dict[str, str] = {}
    queue = [first]
    for current in queue:
        for successor in edges[current]:
            if successor not in members:
                continue
            if successor == first:
                path = [current]
                while path[-1] != first:
                    path.append(previous[path[-1]])
                return [*reversed(path), first]
            if successor not in previous:
                previous[successor] = current
                queue.append(successor)
    return [first, first]
