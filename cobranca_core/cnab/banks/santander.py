"""Santander (033), CNAB 240.

Follows "Layout de Arquivo Padrão 240 – Cobrança", H7815 version 2.9 (April 2018), which moves
several FEBRABAN positions:

- Header: inscription type at 17 and number at 18-32; código de transmissão 33-47 (nota 3); no
  agency/account; layout 040. Lot header: código de transmissão 54-68; layout 030. The retorno's
  headers differ from the remessa's (agency 33-36, account 38-46, beneficiary code 53-61).
- Segment P: agency 18-21 + DV, account 23-31 + DV, "conta cobrança" 33-41 + DV (brcobranca
  repeats the account there, as version 2.5 of September 2014 calls it "Conta cobrança"; v2.9
  calls it the FIDC destination, nota 45), nosso número 45-57 (12 digits + DV, nota 15), tipo de
  cobrança at 58 (nota 5), baixa code 224 with "0" at 225 and days at 226-227, currency "00"
  (nota 27).
- Segment T: nosso número 41-53, carteira 54, document 55-69, fee 194-208, reasons 209-218.
- Codes: remessa nota 14 (its 47 changes the amount only of espécies BCC and BDP, nota 18, so an
  amount change of a DM or DS is refused), retorno nota 41, reasons 41-A and 41-C.
- Juros (notas 21-22): the date is the due date. Multa (nota 33): charged after the date given,
  the due date. Protesto (nota 25): 0 = não protestar. Baixa (nota 26): 3 = the beneficiary's
  profile, 1 = after the days given.

Tipo de cobrança (nota 5) by carteira: 101 (rápida com registro) -> 5, 104 (eletrônica com
registro) -> 1, 201 (penhor, caucionada) -> 3. 102 is sem registro and not registered by CNAB
here. The manual names no file-naming rule.
"""

from __future__ import annotations

from .. import names
from ..cnab240 import Cnab240
from ..febraban240 import DETAIL, RECORDS
from ..fields import InvalidCnab, Record, alpha, num, value, when
from ..layout import WALLET
from ..model import Beneficiary, Kind, Movement, Title

HEADER = Record(
    "header",
    240,
    [
        num(1, 3, "bank_code"),
        num(4, 7, "lot", "0000"),
        num(8, 8, "record_type", "0"),
        alpha(9, 16),
        num(17, 17, "company_doc_type"),
        num(18, 32, "company_doc"),
        num(33, 47, "transmission_code"),
        alpha(48, 72),
        alpha(73, 102, "company_name", cut=True),
        alpha(103, 132, "bank_name"),
        alpha(133, 142),
        num(143, 143, "file_code"),
        when(144, 151, "file_date"),
        alpha(152, 157),
        num(158, 163, "file_sequence"),
        num(164, 166, "layout_version"),
        alpha(167, 240),
    ],
)

RETURN_HEADER = HEADER.replace(
    num(33, 36, "agency"),
    num(37, 37, "agency_dv"),
    num(38, 46, "account"),
    num(47, 47, "account_dv"),
    alpha(48, 52),
    num(53, 61, "convenio"),
    alpha(62, 72),
    name="return header",
)

LOT_HEADER = RECORDS["lot_header"].replace(
    alpha(34, 53),
    num(54, 68, "transmission_code"),
    alpha(69, 73),
    alpha(200, 240),
)

SEGMENT_P = RECORDS["P"].replace(
    num(18, 21, "agency"),
    num(22, 22, "agency_dv"),
    num(23, 31, "account"),
    num(32, 32, "account_dv"),
    num(33, 41, "collection_account"),
    num(42, 42, "collection_account_dv"),
    alpha(43, 44),
    num(45, 56, "nosso_number"),
    num(57, 57, "nosso_dv"),
    alpha(58, 58, "carteira_code"),
    num(59, 59, "registration"),
    num(60, 60, "document_type"),
    alpha(61, 62),
    num(101, 104, "collecting_agency"),
    num(105, 105, "collecting_agency_dv"),
    alpha(106, 106),
    num(224, 224, "write_off_code"),
    num(225, 225, "", "0"),
    num(226, 227, "write_off_days"),
    num(228, 229, "currency", "00"),
    alpha(230, 240),
)

SEGMENT_Q = RECORDS["Q"].replace(num(210, 221, "carne"), alpha(222, 240))

SEGMENT_R = RECORDS["R"].replace(alpha(42, 65), num(66, 66, "fine_code"), alpha(90, 99), alpha(180, 240))

LOT_TRAILER = RECORDS["lot_trailer"].replace(alpha(24, 240))

TRAILER = RECORDS["trailer"].replace(alpha(30, 240))

SEGMENT_T = Record(
    "segment T",
    240,
    [
        *DETAIL,
        alpha(16, 17, "movement"),
        num(18, 21, "agency"),
        num(22, 22, "agency_dv"),
        num(23, 31, "account"),
        num(32, 32, "account_dv"),
        alpha(33, 40),
        num(41, 52, "nosso_number"),
        alpha(53, 53, "nosso_dv"),
        alpha(54, 54, "carteira_code"),  # nota 5 (retorno): the tipo de cobrança, not the carteira
        alpha(55, 69, "document_number"),
        when(70, 77, "due_date"),
        value(78, 92, "face_amount"),
        num(93, 95, "collecting_bank"),
        num(96, 99, "collecting_agency"),
        alpha(100, 100, "collecting_agency_dv"),
        alpha(101, 125, "company_use"),
        num(126, 127, "currency"),
        num(128, 128, "payer_doc_type"),
        num(129, 143, "payer_doc"),
        alpha(144, 183, "payer_name"),
        alpha(184, 193, "collection_account"),
        value(194, 208, "fee"),
        alpha(209, 218, "reasons"),
        alpha(219, 240),
    ],
).with_defaults(segment="T")

# The manual types the movement of T as A 002 but that of U as N 002, while its nota 41 table has
# the code "A4" (Pagador DDA): U is read as text too, so such a pair parses.
SEGMENT_U = RECORDS["U"].replace(alpha(16, 17, "movement"), alpha(214, 240))

RETURN_CODES = {
    "02": ("Entrada confirmada", Kind.REGISTERED),
    "03": ("Entrada rejeitada", Kind.REJECTED),
    "04": ("Transferência de carteira/entrada", Kind.OTHER),
    "05": ("Transferência de carteira/baixa", Kind.OTHER),
    "06": ("Liquidação", Kind.PAID),
    "09": ("Baixa", Kind.WRITTEN_OFF),
    "11": ("Títulos em carteira (em ser)", Kind.OTHER),
    "12": ("Confirmação recebimento instrução de abatimento", Kind.CHANGED),
    "13": ("Confirmação recebimento instrução de cancelamento abatimento", Kind.CHANGED),
    "14": ("Confirmação recebimento instrução alteração de vencimento", Kind.CHANGED),
    "17": ("Liquidação após baixa ou liquidação título não registrado", Kind.PAID),
    "19": ("Confirmação recebimento instrução de protesto", Kind.OTHER),
    "20": ("Confirmação recebimento instrução de sustação/Não Protestar", Kind.OTHER),
    "23": ("Remessa a cartório (aponte em cartório)", Kind.OTHER),
    "24": ("Retirada de cartório e manutenção em carteira", Kind.OTHER),
    "25": ("Protestado e baixado (baixa por ter sido protestado)", Kind.WRITTEN_OFF),
    "26": ("Instrução rejeitada", Kind.INSTRUCTION_REJECTED),
    "27": ("Confirmação do pedido de alteração de outros dados", Kind.CHANGED),
    "28": ("Débito de tarifas/custas", Kind.FEE),
    "29": ("Ocorrências do Pagador", Kind.OTHER),
    "30": ("Alteração de dados rejeitada", Kind.INSTRUCTION_REJECTED),
    "32": ("Código de IOF inválido", Kind.OTHER),
    "51": ("Título DDA reconhecido pelo Pagador", Kind.OTHER),
    "52": ("Título DDA não reconhecido pelo Pagador", Kind.OTHER),
    "53": ("Título DDA recusado pela CIP", Kind.OTHER),
    "61": ("Confirmação de Alteração do Valor Nominal do Título", Kind.CHANGED),
    "91": ("Confirmação de Alteração do Valor Mínimo ou Percentual Mínimo", Kind.CHANGED),
    "92": ("Confirmação de Alteração do Valor Máximo ou Percentual Máximo", Kind.CHANGED),
    # Nota 41-C: a payment in progress, only the amount paid; the night file brings the liquidation.
    "93": ("Baixa Operacional", Kind.OTHER),
    "94": ("Cancelamento de Baixa Operacional", Kind.OTHER),
    "A4": ("Pagador DDA", Kind.OTHER),
}

REJECTIONS = {
    "01": "Código do banco inválido",
    "02": "Código do registro detalhe inválido",
    "03": "Código do segmento inválido",
    "04": "Código do movimento não permitido para carteira",
    "05": "Código de movimento inválido",
    "06": "Tipo/número de inscrição do Beneficiário inválidos",
    "07": "Agência/conta/DV inválido",
    "08": "Nosso número inválido",
    "09": "Nosso número duplicado",
    "10": "Carteira inválida",
    "11": (
        "Forma de cadastramento do título inválida. Se desconto, título rejeitado - operação de desconto / "
        "horário limite"
    ),
    "12": "Tipo de documento inválido",
    "13": "Identificação da emissão do Boleto inválida",
    "14": "Identificação da distribuição do Boleto inválida",
    "15": "Características da cobrança incompatíveis",
    "16": "Data de vencimento inválida",
    "17": "Data de vencimento anterior a data de emissão",
    "18": "Vencimento fora do prazo de operação",
    "19": "Título a cargo de bancos correspondentes com vencimento inferior a xx dias",
    "20": "Valor do título inválido",
    "21": "Espécie do título inválida",
    "22": "Espécie não permitida para a carteira",
    "23": "Aceite inválido",
    "24": "Data de emissão inválida",
    "25": "Data de emissão posterior a data de entrada",
    "26": "Código de juros de mora inválido",
    "27": "Valor/Taxa de juros de mora inválido",
    "28": "Código de desconto inválido",
    "29": "Valor do desconto maior ou igual ao valor do título",
    "30": "Desconto a conceder não confere",
    "31": "Concessão de desconto - já existe desconto anterior",
    "32": "Valor do IOF",
    "33": "Valor do abatimento inválido",
    "34": "Valor do abatimento maior ou igual ao valor do título",
    "35": "Abatimento a conceder não confere",
    "36": "Concessão de abatimento - já existe abatimento anterior",
    "37": "Código para protesto inválido",
    "38": "Prazo para protesto inválido",
    "39": "Pedido de protesto não permitido para o título",
    "40": "Título com ordem de protesto emitida",
    "41": "Pedido de cancelamento/sustação para títulos sem instrução de protesto",
    "42": "Código para baixa/devolução inválido",
    "43": "Prazo para baixa/devolução inválido",
    "44": "Código de moeda inválido",
    "45": "Nome do Pagador não informado",
    "46": "Tipo/Número de inscrição do Pagador inválidos",
    "47": "Endereço do Pagador não informado",
    "48": "CEP inválido",
    "49": "CEP sem praça de cobrança (não localizado)",
    "50": "CEP referente a um Banco Correspondente",
    "51": "CEP incompatível com a unidade de federação",
    "52": "Unidade de federação inválida",
    "53": "Tipo/Número de inscrição do sacador/avalista inválidos",
    "54": "Sacador/Avalista não informado",
    "55": "Nosso número no Banco Correspondente não informado",
    "56": "Código do Banco Correspondente não informado",
    "57": "Código da multa inválido",
    "58": "Data da multa inválida",
    "59": "Valor/Percentual da multa inválido",
    "60": "Movimento para título não cadastrado",
    "61": "Alteração de agência cobradora/dv inválida",
    "62": "Tipo de impressão inválido",
    "63": "Entrada para título já cadastrado",
    "64": "Número da linha inválido",
    "65": "A espécie de título não permite a instrução",
    "72": "Entrada de título Sem Registro",
    "90": "Identificador/Quantidade de Parcelas de carnê inválido",
    "91": "Título Descontado, instrução não permitida",
    "92": "Data de Desconto Inválida",
    "93": "Número do lote remessa inválido",
    "B2": "Valor Nominal do Título Conflitante",
    "B3": "Tipo de Pagamento Inválido",
    "B4": "Valor Máximo ou Percentual Máximo Inválido",
    "B5": "Valor Mínimo ou Percentual Mínimo Inválido",
    "Z1": "Quantidade de Pagamento Possíveis Inválido",
    "Z5": "Título com reserva, instrução não permitida",
    "Z6": "Segmento Inválido para o tipo de Carteira de Cobrança",
    "Z7": "Instrução exige segmento Y53",
}

SETTLEMENTS = {
    "01": "Por saldo",
    "02": "Por conta",
    "03": "No próprio banco",
    "04": "Compensação eletrônica",
    "05": "Compensação convencional",
    "06": "Arquivo magnético",
    "07": "Após feriado local",
    "08": "Em cartório",
    "09": "Pagamento Parcial",  # as a liquidation; after a baixa, 09 is "Comandada banco"
    "10": "Comandada cliente arquivo",
    "11": "Comandada cliente on-line",
    "12": "Decurso prazo – cliente",
    "13": "Decurso prazo – banco",
    "93": "Baixa Operacional enviado pela CIP",
    "94": "Cancelamento de Baixa Operacional enviado pela CIP",
}
WRITE_OFFS = {**SETTLEMENTS, "09": "Comandada banco"}

CARTEIRA_CODES = {"101": "5", "104": "1", "201": "3"}


class Santander240(Cnab240):
    bank_code = "033"
    name = "Santander CNAB 240"
    bank_name = "BANCO SANTANDER"
    layout_version = "040"
    lot_layout_version = "030"
    records = {
        **RECORDS,
        "header": HEADER,
        "return_header": RETURN_HEADER,
        "lot_header": LOT_HEADER,
        "P": SEGMENT_P,
        "Q": SEGMENT_Q,
        "R": SEGMENT_R,
        "lot_trailer": LOT_TRAILER,
        "trailer": TRAILER,
        "T": SEGMENT_T,
        "U": SEGMENT_U,
    }
    return_codes = RETURN_CODES
    reason_tables = {
        "03": REJECTIONS,
        "26": REJECTIONS,
        "30": REJECTIONS,
        "06": SETTLEMENTS,
        "17": SETTLEMENTS,
        "09": WRITE_OFFS,
        "93": SETTLEMENTS,
        "94": SETTLEMENTS,
    }
    especies = {"DM": "02", "DS": "04", "LC": "07", "NP": "12", "NPR": "13", "RC": "17", "AP": "20", "CH": "97"}
    interest_offset = 0  # nota 22: "Informar nesse campo a data do vencimento"
    fine_offset = 0  # nota 33: the fine is charged after the date given
    protest_code = "0"  # nota 25
    no_write_off_code = "3"  # nota 26: utilizar perfil beneficiário

    def check_beneficiary(self, beneficiary: Beneficiary) -> None:
        super().check_beneficiary(beneficiary)
        self.require_code(beneficiary, "transmission_code", 15)
        self.require_wallet(beneficiary, "agency", 4)
        self.require_wallet(beneficiary, "account", 9)
        if beneficiary.wallet.carteira not in CARTEIRA_CODES:
            detail = f"carteira {beneficiary.wallet.carteira} is not registered by CNAB here; use 101, 104 or 201"
            raise InvalidCnab(WALLET, "carteira", "unsupported", detail)

    def account_values(self, beneficiary: Beneficiary) -> dict:
        wallet = beneficiary.wallet
        return {
            "agency": wallet.agency,
            "agency_dv": wallet.agency_dv,
            "account": wallet.account,
            "account_dv": wallet.account_dv,
            "collection_account": wallet.account,
            "collection_account_dv": wallet.account_dv,
            "transmission_code": beneficiary.transmission_code,
        }

    def write_off_values(self, beneficiary: Beneficiary) -> dict:
        days = beneficiary.write_off_days
        if days is None:
            return {"write_off_code": self.no_write_off_code, "write_off_days": "00"}
        return {"write_off_code": "1", "write_off_days": f"{days:02d}"}

    def title_values(self, beneficiary: Beneficiary, title: Title, when) -> dict:
        values = super().title_values(beneficiary, title, when)
        values.update(carteira_code=CARTEIRA_CODES[beneficiary.wallet.carteira], issuer=None, distributor=None)
        if title.movement == Movement.ENTRY:
            values["carne"] = "0" * 12  # nota 28: 000 = não possui carnê
        return values

    def expected_convenio(self, beneficiary: Beneficiary) -> str:
        return beneficiary.wallet.convenio  # the código do beneficiário, 53-61 of the retorno header

    def nosso_numero_values(self, beneficiary: Beneficiary, title: Title) -> dict:
        return {"nosso_number": title.nosso_numero.number, "nosso_dv": title.nosso_numero.check_digit}

    def nosso_numero_from(self, values: dict) -> tuple[str, str]:
        return values["nosso_number"], values["nosso_dv"]

    def file_name(self, beneficiary, sequence, when):
        return names.neutral(self.bank_code, 240, sequence, when)
