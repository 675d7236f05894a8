"""The JSON API under /api/v1 (接口): the same service functions as the pages."""

from fastapi import APIRouter

from chainlead.web.api import auth, chains, cultivation, enterprises, imports, mapping, status

router = APIRouter()
for module in (auth, status, chains, enterprises, mapping, cultivation, imports):
    router.include_router(module.router)
