"""Odoo-free rules of the cobranca_email addon.

Everything here works on plain values (``str``, ``int``, ``Decimal``, ``date``) so that it can be
tested without a database and reused by the addon, its command-line tools and the benchmarks.
"""

__version__ = "18.0.1.0.0"
