"""plan: desired state (rendered at a commit) against live state → ordered actions. Pure: the
target, the registry and the state store reach it only as plain values and ``typing.Protocol``s."""
