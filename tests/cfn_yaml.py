"""Read template.yaml as CloudFormation does, so tests build and check resources from the template itself.

Short tags become their long JSON form (`!Ref X` -> `{"Ref": "X"}`, `!GetAtt A.B` ->
`{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` -> `{"Fn::Sub": "s"}`, ...). Nothing is evaluated on
load; `resolve` substitutes the parameters' defaults where a test wants plain values.
"""

from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """SafeLoader plus every `!Tag` of CloudFormation's YAML."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CloudFormationLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    template: dict[str, Any] = yaml.load(path.read_text(), Loader=_CloudFormationLoader)
    return template


def resource(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """The resource's whole definition: `Type`, `Properties`, and `Metadata` etc. where present."""
    found: dict[str, Any] = template["Resources"][logical_id]
    return found


def properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    props: dict[str, Any] = resource(template, logical_id).get("Properties", {})
    return props


def resources_of_type(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in template["Resources"].items() if body["Type"] == type_name}


def resolve(template: dict[str, Any], value: Any) -> Any:
    """`value` with each `{"Ref": <parameter>}` replaced by that parameter's default (as text, the
    way CloudFormation hands parameters to properties); other intrinsics are left as they are."""
    if isinstance(value, list):
        return [resolve(template, item) for item in value]
    if isinstance(value, dict):
        parameters = template.get("Parameters", {})
        if set(value) == {"Ref"} and value["Ref"] in parameters:
            return str(parameters[value["Ref"]]["Default"])
        return {key: resolve(template, item) for key, item in value.items()}
    return value
