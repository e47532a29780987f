"""Who receives a billing e-mail, and which addresses an e-mail field holds.

One rule for every billing e-mail, the boleto e-mail of an invoice as the dunning notice of a
customer (:func:`select_recipients`):

1. the customer's **invoice contacts** (contacts of type *Invoice address*) with a valid address,
   all of them. A message with a contact-group filter keeps only the contacts the filter accepts.
   The boleto e-mail applies none: the contact groups are a setting of the dunning notices, and
   every invoice contact receives the boletos it has to pay;
2. else the first **fallback**, in the message's order, with a valid address: the invoice's partner
   then the customer for a boleto e-mail, the customer for a dunning notice.

The dunning notice chooses by the dunning settings' *Contact Groups* (:func:`notice_recipients`):
with *only the selected*, the contacts in those groups, of any type, and nobody else; with *all*
or *all but the selected*, the rule above, without the contacts (and the customer) in the groups
left out.

Every address, a contact's as a fallback's, is read by :func:`split_emails`: a field may hold
several, and an address that differs only in case from one already chosen is not added again.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cobranca_core.dunning import FilterMode

# A display name between double quotes may hold commas or "@": it is no address.
_QUOTED_NAME = re.compile(r'"[^"]*"')
# What separates addresses, and the angle brackets around an address that follows a display name.
_SEPARATORS = re.compile(r"[\s,;<>]+")


def is_valid_email(address: str) -> bool:
    """One ``@`` with something before it, a dot inside the domain, no spaces.

    Enough to catch typing mistakes ("financeiro at empresa", "a@empresa"); the mail server has the
    last word.
    """
    local, at, domain = address.partition("@")
    return bool(
        at and local and "@" not in domain and "." in domain.strip(".") and not any(c.isspace() for c in address)
    )


def split_emails(value: str | None) -> list[str]:
    """The valid addresses of an e-mail field, in order, each once.

    Addresses are separated by commas, semicolons or spaces, each bare (``a@x.com``) or after a
    display name (``Maria Silva <a@x.com>``, ``"Silva, Maria" <a@x.com>``); the words of a name and
    anything that is not a valid address (:func:`is_valid_email`) are dropped. Addresses differing
    only in case are one address: its first spelling is kept.

    >>> split_emails('Maria <maria@x.com>; b@y.com, MARIA@x.com nobody')
    ['maria@x.com', 'b@y.com']
    """
    seen, addresses = set(), []
    for word in _SEPARATORS.split(_QUOTED_NAME.sub(" ", value or "")):
        if is_valid_email(word) and word.lower() not in seen:
            seen.add(word.lower())
            addresses.append(word)
    return addresses


def invalid_entries(value: str | None) -> list[str]:
    """The entries of an e-mail field that hold no valid address, as typed, for an error message.

    Entries are separated by commas, semicolons or new lines (a comma inside a quoted display name
    separates nothing); an entry is valid when :func:`split_emails` finds an address in it.

    >>> invalid_entries('"Silva, Maria" <maria@x.com>; financeiro at x.com, b@y.com')
    ['financeiro at x.com']
    """
    masked = _QUOTED_NAME.sub('""', value or "")
    return [entry.strip() for entry in re.split(r"[,;\n]", masked) if entry.strip() and not split_emails(entry)]


@dataclass(frozen=True)
class Contact:
    """A partner that may receive the e-mail; ``categories`` are its contact groups."""

    id: Any
    email: str | None
    categories: frozenset = frozenset()
    is_invoice_contact: bool = False


@dataclass(frozen=True)
class Recipients:
    """The chosen addresses, and the ids of the contacts they were read from (false when empty)."""

    addresses: tuple[str, ...] = ()
    contact_ids: tuple = ()

    def __bool__(self) -> bool:
        return bool(self.addresses)


def select_recipients(
    contacts: Iterable[Contact], fallbacks: Iterable[Contact] = (), contact_filter=None
) -> Recipients:
    """Who receives a billing e-mail: see the module docstring.

    :param contacts: the customer's contacts; those that are not invoice contacts are ignored
    :param fallbacks: tried one at a time, in order, when no invoice contact has a valid address
    :param contact_filter: a :class:`cobranca_core.dunning.SelectionFilter` (anything with
        ``accepts(categories)``) the invoice contacts must pass; None: every invoice contact
    :return: the addresses, each once ignoring case, and the contacts that gave at least one of
        them; empty when nobody has a valid address
    """
    invoice_contacts = [
        contact
        for contact in contacts
        if contact.is_invoice_contact and (contact_filter is None or contact_filter.accepts(contact.categories))
    ]
    for candidates in (invoice_contacts, *([fallback] for fallback in fallbacks)):
        chosen = _addresses(candidates)
        if chosen:
            return chosen
    return Recipients()


def notice_recipients(customer: Contact, contacts: Iterable[Contact], contact_filter) -> Recipients:
    """Who receives a dunning notice, by the company's *Contact Groups* (``contact_filter``, a
    :class:`cobranca_core.dunning.SelectionFilter`).

    - *only the selected*: every contact in one of the selected groups with a valid address, whatever
      its type (invoice address, contact, delivery address...), the customer first when it is in one
      of them itself. Nobody else: when none has an address, the notice goes to nobody (the finance
      team chose who may read it), not to the customer's main address;
    - *all*: the invoice contacts, else the customer (:func:`select_recipients`);
    - *all but the selected*: as *all*, without the contacts in the selected groups, nor the
      customer when it is in one of them.

    :param customer: the customer (commercial partner), with its own groups
    :param contacts: the customer's other contacts, of any type (``is_invoice_contact`` tells
        invoice addresses apart)
    :return: as :func:`select_recipients`; empty when nobody may receive it
        (:func:`cobranca_core.dunning.no_email_reason` says why)
    """
    if FilterMode(contact_filter.mode) == FilterMode.INCLUDE:
        return _addresses(contact for contact in (customer, *contacts) if contact_filter.accepts(contact.categories))
    fallbacks = [customer] if contact_filter.accepts(customer.categories) else []
    return select_recipients(contacts, fallbacks, contact_filter)


def _addresses(candidates: Iterable[Contact]) -> Recipients:
    """The valid addresses of the candidates, in order, each once ignoring case, and the contacts
    that gave at least one of them."""
    seen, addresses, contact_ids = set(), [], []
    for contact in candidates:
        new = [address for address in split_emails(contact.email) if address.lower() not in seen]
        if new:
            seen.update(address.lower() for address in new)
            addresses += new
            contact_ids.append(contact.id)
    return Recipients(tuple(addresses), tuple(contact_ids))
