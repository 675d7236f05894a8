"""Chain mapping (挂链): rules from the program, a learned model, review queue, evaluation.

Entry points: `service` (map_all, review_queue, decide, confirm, reject), `classify`
(files), `evaluate` (labelled companies). See docs/mapping.md.
"""
