"""Shared libraries, addressed by name: `lib/NAME.js` is the library `NAME`, used as `lib.NAME`."""

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from ...libraries import Library
from ...timestamps import iso_timestamp
from ..auth import PlatformDep, WorkspaceDep
from ..errors import documented
from ..schemas import Timestamp

router = APIRouter(prefix="/v1/libraries", tags=["libraries"], responses=documented(401))


class LibraryPut(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    source: str = Field(description="the text of `lib/NAME.js`, an ES module with named exports")


class LibraryOut(BaseModel):
    name: str
    version: int = Field(description="1 for the first upload of the name, + 1 with each change")
    source: str
    updated_at: Timestamp

    @classmethod
    def of(cls, library: Library) -> "LibraryOut":
        return cls(
            name=library.name,
            version=library.version,
            source=library.source,
            updated_at=iso_timestamp(library.updated_at),
        )


class LibraryList(BaseModel):
    libraries: list[LibraryOut] = Field(description="by name")


@router.put(
    "/{name}",
    summary="Create or replace a library",
    description="200 when an existing library was replaced (or re-put unchanged), 201 when it was created. "
    "Runs of tasks matched before the change keep the versions they were matched with.",
    responses={201: {"model": LibraryOut, "description": "created"}, **documented(413, 422)},
)
def put_library(
    name: str, body: LibraryPut, response: Response, platform: PlatformDep, workspace: WorkspaceDep
) -> LibraryOut:
    library, created = platform.put_library(workspace, name, body.source)
    response.status_code = 201 if created else 200
    return LibraryOut.of(library)


@router.get("", summary="List libraries")
def list_libraries(platform: PlatformDep, workspace: WorkspaceDep) -> LibraryList:
    return LibraryList(libraries=[LibraryOut.of(library) for library in platform.list_libraries(workspace)])


@router.get("/{name}", summary="Show a library", responses=documented(404, 422))
def get_library(name: str, platform: PlatformDep, workspace: WorkspaceDep) -> LibraryOut:
    return LibraryOut.of(platform.get_library(workspace, name))


@router.delete("/{name}", status_code=204, summary="Delete a library", responses=documented(404, 422))
def delete_library(name: str, platform: PlatformDep, workspace: WorkspaceDep) -> None:
    platform.delete_library(workspace, name)
