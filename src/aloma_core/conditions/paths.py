"""The paths conditions name, and a task read along them once per match.

Only paths that some filed atom or check names are visited, so fields no step looks at cost
nothing, however large the task. Each path gets a small integer slot, cheaper to look up per
branch than a tuple; the tree counts its users so removing conditions prunes it.
"""

from itertools import count

from ..json_types import JsonObject
from .clauses import Path


class _PathNode:
    __slots__ = ("element", "keys", "slot", "uses")

    def __init__(self, slot: int) -> None:
        self.slot = slot
        self.keys: dict[str, _PathNode] = {}
        self.element: _PathNode | None = None
        self.uses = 0


Values = dict[int, list[object]]
"""What a task holds at each named path's slot: one value on an object path, every element's
below an array."""

ROOT_SLOT = 0


class PathTree:
    def __init__(self) -> None:
        self._slots = count(ROOT_SLOT + 1)
        self._root = _PathNode(ROOT_SLOT)

    def __len__(self) -> int:
        """How many paths are named (the root not counted)."""
        named, stack = 0, [self._root]
        while stack:
            node = stack.pop()
            children = [*node.keys.values(), *([node.element] if node.element is not None else [])]
            named += len(children)
            stack.extend(children)
        return named

    def add(self, path: Path) -> int:
        """Name a path (once more); returns its slot."""
        node = self._root
        for step in path:
            if isinstance(step, str):
                child = node.keys.get(step)
                if child is None:
                    child = node.keys[step] = _PathNode(next(self._slots))
            else:
                child = node.element
                if child is None:
                    child = node.element = _PathNode(next(self._slots))
            child.uses += 1
            node = child
        return node.slot

    def remove(self, path: Path) -> None:
        """Undo one `add` of the same path."""
        node = self._root
        for step in path:
            child = node.keys[step] if isinstance(step, str) else node.element
            assert child is not None, "removing a path that was never added"
            child.uses -= 1
            if not child.uses:
                if isinstance(step, str):
                    del node.keys[step]
                else:
                    node.element = None
                return
            node = child

    def read(self, data: JsonObject) -> Values:
        """The values at every named path the task has; absent paths are left out."""
        found: Values = {ROOT_SLOT: [data]}
        stack: list[tuple[_PathNode, list[object]]] = [(self._root, [data])]
        while stack:
            node, values = stack.pop()
            keys = node.keys
            if keys and len(values) == 1:
                value = values[0]
                if isinstance(value, dict):
                    for key in keys.keys() & value.keys():
                        child, items = keys[key], [value[key]]
                        found[child.slot] = items
                        if child.keys or child.element is not None:
                            stack.append((child, items))
            elif keys:  # below an array: gather each key's values over all elements first
                collected: dict[_PathNode, list[object]] = {}
                for value in values:
                    if isinstance(value, dict):
                        for key in keys.keys() & value.keys():
                            collected.setdefault(keys[key], []).append(value[key])
                for child, items in collected.items():
                    found[child.slot] = items
                    if child.keys or child.element is not None:
                        stack.append((child, items))
            element = node.element
            if element is not None:
                items = [item for value in values if isinstance(value, list) for item in value]
                if items:
                    found[element.slot] = items
                    if element.keys or element.element is not None:
                        stack.append((element, items))
        return found
