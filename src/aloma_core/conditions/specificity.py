"""How specific a condition is: the number of leaf tests a match is guaranteed to have passed.

Sequential mode runs the most specific matching step first, so the count answers "how much
does a match of this condition tell about the data":

- a type, `null`, a literal or a regex is one test;
- every operator in an operator object is one test, so `{$gt: 1, $lt: 5}` counts 2;
- an object or array pattern counts its parts; `{}` and `[]` nested under a key count 1
  (they still test "is an object / array"), the top-level object counts only its keys;
- `$or` counts its least specific alternative, since a match may have passed only that one;
- `$not` counts 1 whatever it negates: ruling one shape out pins down little.
"""

from .nodes import ArrayPattern, Node, ObjectPattern, Op, Operators, Or


def condition_specificity(node: ObjectPattern | Operators) -> int:
    if isinstance(node, ObjectPattern):
        return sum(specificity(child) for _, child in node.fields)
    return specificity(node)


def specificity(node: Node) -> int:
    if isinstance(node, ObjectPattern):
        return sum(specificity(child) for _, child in node.fields) or 1
    if isinstance(node, ArrayPattern):
        return sum(specificity(item) for item in node.items) or 1
    if isinstance(node, Operators):
        return sum(_op_specificity(op) for op in node.ops)
    return 1


def _op_specificity(op: Op) -> int:
    if isinstance(op, Or):
        return min(specificity(alternative) for alternative in op.alternatives)
    return 1
