"""A connector type from another installed package (tests/packages/aloma-echo-connector, which
`make test` installs into the test venv) is found through the `aloma.connectors` entry point and
called from a step, in the sandbox's worker process, like a built-in."""

from importlib.metadata import distribution

from e2e_support import Server

from lifecycle_scenarios import step_file


def test_the_installed_package_declares_the_entry_point() -> None:
    entry_points = distribution("aloma-echo-connector").entry_points
    assert [(e.group, e.name) for e in entry_points] == [("aloma.connectors", "echo")]


def test_a_step_calls_a_connector_of_an_installed_package(server: Server) -> None:
    ws = server.workspace()
    configured = ws.client.put("/v1/connectors/greeter", json={"type": "echo", "config": {"prefix": "hello"}})
    assert configured.status_code == 200, configured.text
    assert configured.json()["type"] == "echo"
    ws.put_step(
        "greet",
        step_file("{name: String}", "await connectors.greeter.say({text: data.name, into: 'reply'});"),
    )
    task = ws.settle(ws.new_task({"name": "Ada"}))
    assert task["data"]["reply"]["said"] == "hello Ada"
    assert task["data"]["reply"]["key"], "the call's idempotency key reached the connector"


def test_an_unknown_type_is_refused_naming_the_installed_ones(server: Server) -> None:
    ws = server.workspace()
    answer = ws.client.put("/v1/connectors/x", json={"type": "nope", "config": {}})
    assert answer.status_code == 422
    assert "echo" in answer.json()["error"]["message"]
