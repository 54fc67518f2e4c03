"""Liveness for load balancers and `aloma dev`: no auth, no storage."""

from fastapi import APIRouter

from ..schemas import Health

router = APIRouter(tags=["health"])


@router.get("/v1/health", summary="Is the API up")
def health() -> Health:
    return Health()
