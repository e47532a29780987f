"""The selections CNAB records share: registration states, remessa movements, retorno kinds."""

from cobranca_core.cnab import Kind, Movement

# Where a boleto stands with the bank.
REGISTRATION_STATES = [
    ("to_register", "To register"),
    ("sent", "Sent to the bank"),
    ("registered", "Registered"),
    ("rejected", "Rejected"),
    ("written_off", "Written off"),
    ("paid", "Paid at the bank"),
]

# What the next remessa asks the bank to do with a boleto (cobranca_core.cnab.Movement).
MOVEMENTS = [
    (Movement.ENTRY, "Entry (register)"),
    (Movement.WRITE_OFF, "Write-off request (baixa)"),
]

# What a retorno line means for its boleto (cobranca_core.cnab.Kind).
KINDS = [
    (Kind.REGISTERED, "Entry confirmed"),
    (Kind.REJECTED, "Entry rejected"),
    (Kind.PAID, "Paid (liquidação)"),
    (Kind.WRITTEN_OFF, "Written off (baixa)"),
    (Kind.CHANGED, "Instruction confirmed"),
    (Kind.INSTRUCTION_REJECTED, "Instruction rejected"),
    (Kind.REVERSED, "Payment reversed"),
    (Kind.FEE, "Bank fee"),
    (Kind.OTHER, "Other occurrence"),
]

# What the import did with a retorno line.
LINE_RESULTS = [
    ("applied", "Applied"),
    ("recorded", "Recorded"),
    ("not_applied", "Not applied"),
]
