"""CNAB remessa and retorno for boleto registration: plain values in, text out, and back.

``write_remessa`` turns a :class:`Beneficiary` and its :class:`Title`\\ s into a remessa file;
``parse_retorno`` turns a retorno into typed :class:`ReturnEntry`\\ s and ``check_retorno`` says
what in it needs the addon's attention. ``read_remessa`` reads a remessa back (what the bank will
register). ``fields`` holds the position/picture rules, ``febraban240`` the FEBRABAN 240 records,
``cnab240`` and ``cnab400`` the file frames, ``banks`` one module per bank and layout, following
its manual.
"""

from .banks import LAYOUTS, get_layout, supported_layouts
from .fields import CnabParseError, InvalidCnab
from .layout import CnabLayout
from .model import (
    Beneficiary,
    Kind,
    Movement,
    Occurrence,
    Payer,
    Remessa,
    RemessaFile,
    RemittedTitle,
    ReturnEntry,
    ReturnFile,
    ReturnIssue,
    Title,
)
from .remessa import read_remessa, write_remessa
from .retorno import check_retorno, parse_retorno

__all__ = [
    "LAYOUTS",
    "Beneficiary",
    "CnabLayout",
    "CnabParseError",
    "InvalidCnab",
    "Kind",
    "Movement",
    "Occurrence",
    "Payer",
    "Remessa",
    "RemessaFile",
    "RemittedTitle",
    "ReturnEntry",
    "ReturnFile",
    "ReturnIssue",
    "Title",
    "check_retorno",
    "get_layout",
    "parse_retorno",
    "read_remessa",
    "supported_layouts",
    "write_remessa",
]
