"""Pure functions over the category tree (no database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str
    parent_id: str | None


def children_map(nodes: Iterable[Node]) -> dict[str | None, list[Node]]:
    children: dict[str | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    return children


def descendants(root_id: str, nodes: Iterable[Node]) -> set[str]:
    """The root and every node below it.

    >>> tree = [Node("a", "Food", None), Node("b", "Groceries", "a"), Node("c", "Bio", "b")]
    >>> sorted(descendants("a", tree))
    ['a', 'b', 'c']
    """
    children = children_map(nodes)
    found = {root_id}
    stack = [root_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child.id not in found:
                found.add(child.id)
                stack.append(child.id)
    return found


def paths(nodes: Iterable[Node], separator: str = ":") -> dict[str, str]:
    """'Food:Groceries' for every node.

    >>> paths([Node("a", "Food", None), Node("b", "Groceries", "a")])["b"]
    'Food:Groceries'
    """
    by_id: Mapping[str, Node] = {n.id: n for n in nodes}
    result: dict[str, str] = {}

    def path(node_id: str) -> str:
        if node_id not in result:
            node = by_id[node_id]
            parent = node.parent_id
            result[node_id] = (
                node.name
                if parent is None or parent not in by_id
                else path(parent) + separator + node.name
            )
        return result[node_id]

    for node_id in by_id:
        path(node_id)
    return result


def would_cycle(node_id: str, new_parent_id: str, nodes: Iterable[Node]) -> bool:
    """Moving a node under itself or one of its descendants would make a cycle."""
    return new_parent_id in descendants(node_id, nodes)
