"""Who receives a billing e-mail (boleto e-mail and dunning notice), and the addresses of a field."""

import pytest

from cobranca_core.dunning import FilterMode, SelectionFilter
from cobranca_core.recipients import (
    Contact,
    Recipients,
    invalid_entries,
    is_valid_email,
    select_recipients,
    split_emails,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a@b.com", ["a@b.com"]),
        (None, []),
        ("", []),
        # several addresses, separated by commas, semicolons or spaces, in any mix
        ("a@x.com, b@y.com", ["a@x.com", "b@y.com"]),
        (" a@b.com.br ;b@c.com,, c@d.org ", ["a@b.com.br", "b@c.com", "c@d.org"]),
        ("a@x.com b@y.com\tc@z.com\nd@w.com", ["a@x.com", "b@y.com", "c@z.com", "d@w.com"]),
        ("a@x.com;b@y.com c@z.com,d@w.com", ["a@x.com", "b@y.com", "c@z.com", "d@w.com"]),
        # display names with angle brackets: the name is dropped, quoted names too (commas inside)
        ("Maria da Silva <maria@x.com>", ["maria@x.com"]),
        ('"Silva, Maria" <maria@x.com>, Contas a Pagar <ap@y.com.br>', ["maria@x.com", "ap@y.com.br"]),
        ('"financeiro@velho.com" <financeiro@novo.com>', ["financeiro@novo.com"]),
        ("<a@x.com>;<b@y.com>", ["a@x.com", "b@y.com"]),
        # invalid addresses are dropped, the valid ones beside them kept
        ("@c.com", []),
        ("a@.com", []),
        ("a@com.", []),
        ("a@@c.com", []),
        ("a@b@c.com", []),
        ("posto@localhost", []),
        ("financeiro at posto.com", []),
        ("a b@c.com", ["b@c.com"]),  # a space separates: "a" is no address
        ("nada, a@x.com; posto@localhost <b@y.com>", ["a@x.com", "b@y.com"]),
        # duplicates ignoring case, first spelling kept
        ("Financeiro@X.com, financeiro@x.com; FINANCEIRO@X.COM", ["Financeiro@X.com"]),
        ("Maria <maria@x.com>, maria@X.com", ["maria@x.com"]),
        ("João@empresa.com.br", ["João@empresa.com.br"]),
    ],
)
def test_split_emails(value, expected):
    assert split_emails(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("a@x.com, b@y.com; c@z.com", []),
        ('"Silva, Maria" <maria@x.com>, Joao <joao@x.com>', []),
        ("financeiro@acme.com.br, gerente.acme.com.br", ["gerente.acme.com.br"]),
        ("a@x.com;\nnot an address ;; b@y", ["not an address", "b@y"]),
    ],
)
def test_invalid_entries_are_the_ones_without_an_address(value, expected):
    assert invalid_entries(value) == expected


def test_is_valid_email():
    assert is_valid_email("a@x.com")
    assert not is_valid_email("a @x.com")
    assert not is_valid_email("a@x")


BILLING = SelectionFilter(FilterMode.INCLUDE, frozenset({"billing"}))
CONTACTS = [
    Contact(1, "financeiro@posto.com.br", frozenset({"billing"}), is_invoice_contact=True),
    Contact(2, "dono@posto.com.br", frozenset({"owner"}), is_invoice_contact=True),  # other group
    Contact(3, "compras@posto.com.br", frozenset({"billing"}), is_invoice_contact=False),  # not an invoice contact
    Contact(
        4, "contas@posto.com.br; FINANCEIRO@posto.com.br", frozenset({"billing", "owner"}), is_invoice_contact=True
    ),
]
CUSTOMER = Contact(10, "posto@posto.com.br")


def test_recipients_are_invoice_contacts_in_the_chosen_groups():
    assert select_recipients(CONTACTS, [CUSTOMER], BILLING) == Recipients(
        # the repeated address differs only in case: sent once
        ("financeiro@posto.com.br", "contas@posto.com.br"),
        (1, 4),
    )


def test_recipients_with_exclude_and_all():
    not_owner = SelectionFilter(FilterMode.EXCLUDE, frozenset({"owner"}))
    assert select_recipients(CONTACTS, [], not_owner).addresses == ("financeiro@posto.com.br",)
    everyone = ("financeiro@posto.com.br", "dono@posto.com.br", "contas@posto.com.br")
    assert select_recipients(CONTACTS, [], SelectionFilter()).addresses == everyone
    # No filter (the boleto e-mail): every invoice contact, whatever its groups.
    assert select_recipients(CONTACTS, [CUSTOMER]) == Recipients(everyone, (1, 2, 4))


def test_a_contact_whose_addresses_were_all_chosen_already_is_not_a_recipient_again():
    twice = [CONTACTS[0], Contact(5, "FINANCEIRO@posto.com.br", frozenset(), True)]
    assert select_recipients(twice) == Recipients(("financeiro@posto.com.br",), (1,))


def test_recipients_fall_back_to_the_first_fallback_with_an_address():
    customer = Contact(10, "posto@posto.com.br, gerente@posto.com.br")
    both = Recipients(("posto@posto.com.br", "gerente@posto.com.br"), (10,))
    assert select_recipients([], [customer], BILLING) == both
    assert select_recipients(CONTACTS[1:3], [customer], BILLING) == both
    invalid_contact = [Contact(5, "financeiro at posto", frozenset({"billing"}), True)]
    assert select_recipients(invalid_contact, [customer], BILLING) == both
    # The boleto e-mail: the invoice's partner, then the customer; the first with an address only.
    invoice_partner = Contact(11, "Loja Centro <loja@posto.com.br>")
    assert select_recipients([], [invoice_partner, customer]) == Recipients(("loja@posto.com.br",), (11,))
    assert select_recipients([], [Contact(11, "sem e-mail"), customer]) == both


@pytest.mark.parametrize("partner_email", [None, "", "sem e-mail", "posto@localhost", "a@b@c.com", " ; , "])
def test_no_valid_address_is_no_recipient(partner_email):
    chosen = select_recipients([Contact(1, None, frozenset({"billing"}), True)], [Contact(10, partner_email)], BILLING)
    assert chosen == Recipients()
    assert not chosen
