"""Benchmarks of the portal's hot paths, run against a throw-away database.

``python -m bench`` runs every benchmark, ``python -m bench outbox`` one of
them, ``python -m bench --list`` names them. Figures go to stdout, one per
line as ``name: value unit``; everything else goes to stderr, so the output
can be compared between runs with plain text tools.

To add a benchmark, write a module beside ``outbox.py`` with a function
decorated by ``registry.benchmark`` and add the module to
``registry.MODULES``.
"""
