"""Searching a computed selection field whose value is read in bulk by SQL."""

from odoo import _
from odoo.exceptions import UserError


def ids_with_value(operator, value, value_by_id):
    """The domain on ``id`` of a search ``(field, operator, value)`` on a computed selection field,
    given ``value_by_id``: the field's value of every record that has one.

    Only ``=``, ``!=``, ``in`` and ``not in`` are supported (what the search view and filters use).
    """
    if operator not in ("=", "!=", "in", "not in"):
        raise UserError(_("Operation not supported"))
    values = {value} if operator in ("=", "!=") else set(value)
    matching = [record_id for record_id, record_value in value_by_id.items() if record_value in values]
    return [("id", "in" if operator in ("=", "in") else "not in", matching)]
