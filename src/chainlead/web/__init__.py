"""The web platform (网页平台): FastAPI pages (Jinja2 + HTMX + ECharts, vendored) and the JSON API.

A thin shell over the domain packages' service functions; see docs/web.md and docs/api.md.
"""
