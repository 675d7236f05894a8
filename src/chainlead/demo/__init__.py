"""Deterministic synthetic demo data calibrated to the reference plan (演示数据).

`generate_demo(n, seed, out_dir=..., db_url=...)` is the service behind `chainlead demo-data`.
"""

from chainlead.demo.plan import DemoError
from chainlead.demo.service import DemoSummary, generate_demo

__all__ = ["DemoError", "DemoSummary", "generate_demo"]
