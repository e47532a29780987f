"""Registry of the CNAB layouts: one per bank and size (240 or 400 positions)."""

from __future__ import annotations

from ..fields import InvalidCnab
from ..layout import WALLET, CnabLayout
from .banco_do_brasil import BancoDoBrasil240
from .bradesco240 import Bradesco240
from .bradesco400 import Bradesco400
from .caixa import Caixa240
from .itau240 import Itau240
from .itau400 import Itau400
from .santander import Santander240
from .sicoob import Sicoob240
from .sicredi import Sicredi240

LAYOUTS: dict[tuple[str, int], CnabLayout] = {
    (layout.bank_code, layout.size): layout
    for layout in (
        BancoDoBrasil240(),
        Santander240(),
        Caixa240(),
        Bradesco240(),
        Bradesco400(),
        Itau240(),
        Itau400(),
        Sicredi240(),
        Sicoob240(),
    )
}


def get_layout(bank_code: str, size: int = 240) -> CnabLayout:
    """The CNAB layout of a bank ("341") in 240 or 400 positions; InvalidCnab when there is none."""
    layout = LAYOUTS.get((bank_code, size))
    if layout is None:
        supported = ", ".join(f"{bank} CNAB {n}" for bank, n in sorted(LAYOUTS))
        raise InvalidCnab(
            WALLET, "layout", "unsupported", f"no CNAB {size} layout for bank {bank_code!r}; supported: {supported}"
        )
    return layout


def supported_layouts(bank_code: str) -> list[int]:
    """The CNAB layouts (240, 400) this module writes and reads for a bank, for the wallet's choice."""
    return sorted(size for bank, size in LAYOUTS if bank == bank_code)
