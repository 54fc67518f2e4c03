"""The `LibraryStore` contract, run against both homes (see `contract_homes.py`): immutable
versions, one workspace revision moved by conditional writes, the set at any revision."""

import pytest
from contract_homes import HOMES, library_store
from store_support import A, B, run_threads

from aloma_core.libraries import Library
from aloma_core.ports import LibraryStore


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def libraries(home: str, request: pytest.FixtureRequest) -> LibraryStore:
    return library_store(home, request)


def version(
    name: str, number: int, revision: int, source: str = "", *, workspace: str = A, deleted: bool = False
) -> Library:
    text = source or f"export const v = {number};\n"
    return Library(workspace, name, number, revision, "" if deleted else text, 1_000 + revision, deleted)


def test_a_new_workspace_has_revision_0_and_no_libraries(libraries: LibraryStore) -> None:
    assert libraries.revision(A) == 0
    assert libraries.at(A, 0) == []
    assert libraries.latest(A, "crm") is None


def test_put_stores_a_version_and_moves_the_revision(libraries: LibraryStore) -> None:
    first = version("crm", 1, 1, "export const a = 'é';\n")

    assert libraries.put(first, 0)

    assert libraries.revision(A) == 1
    assert libraries.latest(A, "crm") == first
    assert libraries.at(A, 1) == [first]


def test_put_is_refused_when_the_revision_moved_on(libraries: LibraryStore) -> None:
    assert libraries.put(version("crm", 1, 1), 0)

    assert not libraries.put(version("text", 1, 1), 0)
    assert not libraries.put(version("text", 1, 3), 2)

    assert libraries.revision(A) == 1
    assert libraries.latest(A, "text") is None


def test_the_set_at_an_older_revision_keeps_the_versions_of_then(libraries: LibraryStore) -> None:
    libraries.put(version("crm", 1, 1), 0)
    libraries.put(version("text", 1, 2), 1)
    libraries.put(version("crm", 2, 3), 2)
    libraries.put(version("text", 2, 4, deleted=True), 3)

    assert libraries.at(A, 1) == [version("crm", 1, 1)]
    assert libraries.at(A, 2) == [version("crm", 1, 1), version("text", 1, 2)]
    assert libraries.at(A, 3) == [version("crm", 2, 3), version("text", 1, 2)]
    assert libraries.at(A, 4) == [version("crm", 2, 3)]
    assert libraries.latest(A, "text") == version("text", 2, 4, deleted=True)


def test_latest_tells_names_that_share_a_prefix_apart(libraries: LibraryStore) -> None:
    libraries.put(version("crm", 1, 1), 0)
    libraries.put(version("crmTools", 1, 2), 1)

    latest = libraries.latest(A, "crm")
    assert latest is not None and latest.name == "crm"


def test_workspaces_do_not_see_each_other(libraries: LibraryStore) -> None:
    libraries.put(version("crm", 1, 1), 0)

    assert libraries.revision(B) == 0
    assert libraries.at(B, 1) == []
    assert libraries.latest(B, "crm") is None
    assert libraries.put(version("crm", 1, 1, workspace=B), 0)


def test_of_concurrent_writers_of_one_revision_exactly_one_wins(libraries: LibraryStore) -> None:
    won: list[int] = []

    def write(index: int) -> None:
        if libraries.put(version(f"lib{index}", 1, 1), 0):
            won.append(index)

    run_threads(8, write)

    assert len(won) == 1
    assert [library.name for library in libraries.at(A, 1)] == [f"lib{won[0]}"]
