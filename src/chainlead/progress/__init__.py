"""Progress against the targets (目标进度): scale accounting, growth, forecasts, on-track status.

Entry point: `chainlead.progress.service.status_report`. See docs/progress.md.
"""
