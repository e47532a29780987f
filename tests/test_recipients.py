"""Who receives a billing e-mail (boleto e-mail and dunning notice), and the addresses of a field."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobranca_core.dunning import NO_EMAIL, NO_EMAIL_IN_GROUPS, FilterMode, SelectionFilter, no_email_reason
from cobranca_core.recipients import (
    Contact,
    Recipients,
    invalid_entries,
    is_valid_email,
    notice_recipients,
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


# The dunning notice: the company's contact groups choose.

POSTO = Contact(10, "posto@posto.com.br", frozenset({"owner"}))
POSTO_CONTACTS = [
    Contact(1, "financeiro@posto.com.br", frozenset({"billing"}), is_invoice_contact=True),
    Contact(2, "vendas@posto.com.br", frozenset(), is_invoice_contact=True),
    Contact(3, "gerente@posto.com.br", frozenset({"billing"})),  # a plain contact, not an invoice address
    Contact(4, "entrega@posto.com.br", frozenset({"owner"})),
]


def test_only_the_selected_groups_any_contact_type_in_them():
    chosen = notice_recipients(POSTO, POSTO_CONTACTS, BILLING)
    assert chosen == Recipients(("financeiro@posto.com.br", "gerente@posto.com.br"), (1, 3))
    # The customer itself, when it is in a selected group, first.
    owner = SelectionFilter(FilterMode.INCLUDE, frozenset({"owner"}))
    assert notice_recipients(POSTO, POSTO_CONTACTS, owner).contact_ids == (10, 4)


def test_only_the_selected_groups_never_falls_back_to_the_customer():
    no_address = [Contact(1, "financeiro at posto", frozenset({"billing"}), True), POSTO_CONTACTS[1]]
    assert notice_recipients(POSTO, no_address, BILLING) == Recipients()
    assert notice_recipients(POSTO, [], BILLING) == Recipients()
    assert no_email_reason(BILLING) == NO_EMAIL_IN_GROUPS


def test_all_groups_the_invoice_contacts_else_the_customer():
    everyone = SelectionFilter()
    chosen = notice_recipients(POSTO, POSTO_CONTACTS, everyone)
    assert chosen == Recipients(("financeiro@posto.com.br", "vendas@posto.com.br"), (1, 2))
    assert notice_recipients(POSTO, POSTO_CONTACTS[2:], everyone) == Recipients(("posto@posto.com.br",), (10,))
    assert not notice_recipients(Contact(10, None), POSTO_CONTACTS[2:], everyone)
    assert no_email_reason(everyone) == NO_EMAIL


def test_all_but_the_selected_groups_leaves_them_out_the_customer_too():
    not_billing = SelectionFilter(FilterMode.EXCLUDE, frozenset({"billing"}))
    assert notice_recipients(POSTO, POSTO_CONTACTS, not_billing) == Recipients(("vendas@posto.com.br",), (2,))
    assert notice_recipients(POSTO, POSTO_CONTACTS[:1], not_billing).contact_ids == (10,)
    not_owner = SelectionFilter("exclude", frozenset({"owner"}))  # the mode as the addon stores it
    assert notice_recipients(POSTO, POSTO_CONTACTS[3:], not_owner) == Recipients()
    assert no_email_reason(not_owner) == NO_EMAIL


GROUPS = ("billing", "owner", "sales")
contacts = st.lists(
    st.builds(
        Contact,
        id=st.none(),  # numbered below
        email=st.sampled_from([None, "", "a@x.com", "A@x.com", "b@y.com, c@z.com", "nada"]),
        categories=st.frozensets(st.sampled_from(GROUPS)),
        is_invoice_contact=st.booleans(),
    ),
    max_size=6,
).map(lambda found: [replace(contact, id=number) for number, contact in enumerate(found, 1)])
filters = st.builds(SelectionFilter, st.sampled_from(FilterMode), st.frozensets(st.sampled_from(GROUPS)))


def addresses_of(found):
    return {address.lower() for contact in found for address in split_emails(contact.email)}


@given(contacts, st.frozensets(st.sampled_from(GROUPS)), st.sampled_from([None, "posto@x.com"]), filters)
def test_the_contact_groups_choose_among_the_contacts(others, groups, email, contact_filter):
    customer = Contact(0, email, groups)
    chosen = notice_recipients(customer, others, contact_filter)
    accepted = [contact for contact in [customer, *others] if contact_filter.accepts(contact.categories)]
    # Each address once, from the contacts it names, and nobody the groups leave out.
    assert len(addresses_of([Contact(None, ", ".join(chosen.addresses))])) == len(chosen.addresses)
    assert set(chosen.contact_ids) <= {contact.id for contact in accepted}
    if contact_filter.mode == FilterMode.INCLUDE:
        # Everyone in the groups, of any type; nobody in them with an address: nobody at all.
        assert addresses_of([Contact(None, ", ".join(chosen.addresses))]) == addresses_of(accepted)
        return
    invoice = [contact for contact in accepted if contact.is_invoice_contact]
    expected = addresses_of(invoice) or addresses_of([customer] if customer in accepted else [])
    assert addresses_of([Contact(None, ", ".join(chosen.addresses))]) == expected
