"""Sicredi (748), CNAB 240.

Follows Sicredi's "Manual CNAB 240" (August 2019), FEBRABAN's records with Sicredi's values:

- Layouts 081 (file) and 040 (lot), density 01600; convênio (33-52, 34-53) blank, "O Sicredi
  atualmente não utiliza este campo".
- Agency fields: the cooperative; account fields: the beneficiary's account, "utilizar o mesmo sem
  o DV" where it has a conta beneficiária. brcobranca writes the 5-digit beneficiary code there;
  we write ``Wallet.account`` when the wallet has one, else the beneficiary code (``convenio``).
- Segment P 38-57: the nosso número "AAByyyyyD" left-aligned (the boleto module's year, byte,
  sequence and DV). 58-62: 1, 1, 1, 2, 2. Only the first 10 positions of the seu número are read.
- Juros: code 1 (value a day), the date after the due date; baixa always "1" with "060" days
  ("Utilizar sempre, nesse campo, 60 dias"); protesto 3 (não protestar/negativar).
- Multa (segment R 66-89): "O Sicredi apenas aceita o campo multa preenchido com percentual", code
  2, the date is always the due date, two decimals.
- Espécies: 03 DMI, 05 DSI, 06 DR, 07 LC, 12 NP, 13 NPR, 16 NS, 17 RC, 19 ND, 32, 99 (no DM/DS).
- Remessa codes 01, 02, 06 (no amount alteration); retorno C044 as Sicredi lists it and C047 with
  Sicredi's own texts and codes (A4, CZ, L6; B: S4, S5).

File names: ``CCCCCMDD.XXX`` (item 5.5), see ``names.sicredi``.
"""

from __future__ import annotations

from decimal import Decimal

from .. import codes, names
from ..cnab240 import Cnab240
from ..febraban240 import RECORDS
from ..fields import alpha
from ..model import Beneficiary, Kind, Title

RETURN_CODES = {
    "02": ("Entrada confirmada", Kind.REGISTERED),
    "03": ("Entrada rejeitada", Kind.REJECTED),
    "06": ("Liquidação", Kind.PAID),
    "07": ("Confirmação do recebimento da instrução de desconto", Kind.CHANGED),
    "08": ("Confirmação do recebimento do cancelamento do desconto", Kind.CHANGED),
    "09": ("Baixa", Kind.WRITTEN_OFF),
    "12": ("Confirmação do recebimento instrução de abatimento", Kind.CHANGED),
    "13": ("Confirmação do recebimento instrução de cancelamento abatimento", Kind.CHANGED),
    "14": ("Confirmação do recebimento instrução alteração de vencimento", Kind.CHANGED),
    "17": ("Liquidação após baixa ou liquidação título não registrado", Kind.PAID),
    "19": ("Confirmação do recebimento instrução de protesto", Kind.OTHER),
    "20": ("Confirmação do recebimento instrução de sustação/cancelamento de protesto", Kind.OTHER),
    "23": ("Remessa a cartório (aponte em cartório)", Kind.OTHER),
    "24": ("Retirada de cartório e manutenção em carteira", Kind.OTHER),
    "25": ("Protestado e baixado (baixa por ter sido protestado)", Kind.WRITTEN_OFF),
    "26": ("Instrução rejeitada", Kind.INSTRUCTION_REJECTED),
    "27": ("Confirmação do pedido de alteração de outros dados", Kind.CHANGED),
    "28": ("Débito de tarifas custas", Kind.FEE),
    "30": ("Alteração de dados rejeitada", Kind.INSTRUCTION_REJECTED),
    "36": ("Baixa rejeitada", Kind.INSTRUCTION_REJECTED),
    "51": ("Título DDA reconhecido pelo pagador", Kind.OTHER),
    "52": ("Título DDA não reconhecido pelo pagador", Kind.OTHER),
    "78": ("Confirmação de recebimento de pedido de negativação", Kind.OTHER),
    "79": ("Confirmação de recebimento de pedido de exclusão de negativação", Kind.OTHER),
    "80": ("Confirmação de entrada de negativação", Kind.OTHER),
    "81": ("Entrada de negativação rejeitada", Kind.OTHER),
    "82": ("Confirmação de exclusão de negativação", Kind.OTHER),
    "83": ("Exclusão de Negativação rejeitada", Kind.OTHER),
    "84": ("Exclusão de negativação por outros motivos", Kind.OTHER),
    "85": ("Ocorrência informacional por outros motivos", Kind.OTHER),
}

REJECTIONS = {
    "01": "Código do banco inválido",
    "02": "Código do registro detalhe inválido",
    "03": "Código do segmento inválido",
    "04": "Código de movimento não permitido para carteira",
    "05": "Código de movimento inválido",
    "06": "Tipo/número de inscrição do beneficiário inválidos",
    "07": "Cooperativa crédito/agência/conta/DV inválido",
    "08": "Nosso número inválido",
    "09": "Nosso número duplicado",
    "10": "Carteira inválida",
    "11": "Forma de cadastramento do título inválido",
    "12": "Tipo de documento inválido",
    "13": "Identificação da emissão do boleto inválida",
    "14": "Identificação da distribuição do boleto inválida",
    "15": "Características da cobrança incompatíveis",
    "16": "Data de vencimento inválida",
    "17": "Data de vencimento anterior a data de emissão",
    "18": "Vencimento fora do prazo de operação",
    "20": "Valor do título inválido",
    "21": "Espécie do título inválida",
    "22": "Espécie do título não permitida para a carteira",
    "23": "Aceite inválido",
    "24": "Data da emissão inválida",
    "25": "Data da emissão posterior a data de entrada",
    "26": "Código de juros de mora inválido",
    "27": "Valor/taxa de juros de mora inválido",
    "28": "Código do desconto inválido",
    "29": "Valor do desconto maior ou igual ao valor do título",
    "30": "Desconto a conceder não confere",
    "31": "Concessão de desconto - já existe desconto anterior",
    "33": "Valor do abatimento inválido",
    "34": "Valor do abatimento maior ou igual ao valor do título",
    "35": "Valor a conceder não confere",
    "36": "Concessão de abatimento - já existe abatimento anterior",
    "37": "Código para protesto inválido",
    "38": "Prazo para protesto inválido",
    "39": "Pedido de protesto não permitido para o título",
    "40": "Título com ordem de protesto emitida",
    "41": "Pedido de cancelamento/sustação para títulos sem instrução de protesto / negativação",
    "44": "Código da moeda inválido",
    "45": "Nome do pagador não informado",
    "46": "Tipo/número de inscrição do pagador inválidos",
    "47": "Endereço do pagador não informado",
    "48": "CEP inválido",
    "53": "Tipo/número de inscrição do pagador/avalista inválido",
    "54": "Pagador/avalista não informado",
    "55": "Nosso número no banco correspondente não informado",
    "56": "Código do banco correspondente não informado",
    "57": "Código da multa inválido",
    "58": "Data da multa inválida",
    "59": "Valor/percentual da multa inválido",
    "60": "Movimento para título não cadastrado",
    "61": "Alteração da cooperativa crédito/agência cobradora/DV inválida",
    "62": "Tipo de impressão inválido",
    "63": "Entrada para título já cadastrado",
    "64": "Número da linha inválido",
    "79": "Data juros de mora inválida",
    "80": "Data do desconto inválida",
    "84": "Número autorização inexistente",
    "85": "Título com pagamento vinculado",
    "86": "Seu número inválido",
    "A4": "Pagador DDA",
    "CZ": "Instrução Inválida",
    "L6": "Tipo de comando de instrução inválida para beneficiário pessoa física",
}
FEES = {**codes.FEES, "S4": "Tarifa de Inclusão Negativação", "S5": "Tarifa de Exclusão Negativação"}
NEGATIVACAO = {
    "N1": "Decurso de prazo",
    "N2": "Determinação judicial",
    "N3": "Solicitação da empresa conveniada",
    "N4": "Devolução de comunicado pelos correios",
    "N5": "Diversos",
    "S1": "Rejeitado pela empresa de negativação parceira",
}


class Sicredi240(Cnab240):
    bank_code = "748"
    name = "Sicredi CNAB 240"
    bank_name = "SICREDI"
    layout_version = "081"
    lot_layout_version = "040"
    density = "01600"
    records = {**RECORDS, "P": RECORDS["P"].replace(alpha(38, 57, "nosso_numero"))}
    return_codes = RETURN_CODES
    reason_tables = {
        **dict.fromkeys(("02", "03", "26", "30"), REJECTIONS),
        "28": FEES,
        **dict.fromkeys(("06", "09", "17"), codes.SETTLEMENTS),
        **dict.fromkeys(("81", "83", "84", "85"), NEGATIVACAO),
    }
    especies = {
        "DMI": "03",
        "DSI": "05",
        "DR": "06",
        "LC": "07",
        "NP": "12",
        "NPR": "13",
        "NS": "16",
        "RC": "17",
        "ND": "19",
        "OU": "99",
    }
    fine_code = "2"  # percentual only
    fine_offset = 0  # "a data de cobrança da multa sempre será a data do vencimento"

    def account_values(self, beneficiary: Beneficiary) -> dict:
        wallet = beneficiary.wallet
        own_account = bool(wallet.account)
        return {
            "agency": wallet.agency,
            "account": wallet.account if own_account else wallet.convenio,
            "account_dv": wallet.account_dv if own_account else wallet.convenio_dv,
        }

    def write_off_values(self, beneficiary: Beneficiary) -> dict:
        return {"write_off_code": "1", "write_off_days": "060"}

    def fine_values(self, title: Title) -> dict:
        if not title.fine_percent:
            return {"fine_code": "0"}
        percent = Decimal(str(title.fine_percent))
        return {"fine_code": "2", "fine_date": title.due_date, "fine": percent}

    def read_fine(self, values: dict) -> tuple[Decimal, bool]:
        return values.get("fine") or Decimal("0.00"), True

    def nosso_numero_values(self, beneficiary: Beneficiary, title: Title) -> dict:
        return {"nosso_numero": title.nosso_numero.number + title.nosso_numero.check_digit}

    def nosso_numero_from(self, values: dict) -> tuple[str, str]:
        text = values["nosso_numero"].strip()
        return text[:-1], text[-1:]

    def file_name(self, beneficiary, sequence, when):
        return names.sicredi(beneficiary.wallet.convenio, sequence, when)
