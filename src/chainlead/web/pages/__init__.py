"""HTML pages, one module per page (页面)."""

from fastapi import APIRouter

from chainlead.web.pages import auth, chains, cultivation, enterprises, imports, mapping, overview, users

router = APIRouter(include_in_schema=False)
for module in (auth, overview, chains, enterprises, mapping, cultivation, imports, users):
    router.include_router(module.router)
