"""Enterprises and their yearly figures (企业库): interchange formats, import, validation."""
