"""An e-mail template's body compiled once for a whole batch of records.

Odoo renders a ``mail.template`` body (``mail.render.mixin._render_template_qweb``) by parsing and
compiling its QWeb source again for every record: for a batch of billing e-mails, compiling costs
more than everything else an e-mail takes. Within :func:`compiled_once`, ``ir.qweb._compile`` keeps
what it compiled from such a source (an lxml element, not a stored view) and gives it again for the
same source in the same context: the template is compiled once per batch, language and version.
Views (``t-call`` targets, reports) are cached by Odoo itself and are not concerned.
"""

import contextlib
import contextvars

from lxml import etree

_COMPILED = contextvars.ContextVar("cobranca_compiled_once", default=None)


@contextlib.contextmanager
def compiled_once():
    """Within this block, an inline QWeb source is compiled once for the same source and context."""
    token = _COMPILED.set({})
    try:
        yield
    finally:
        _COMPILED.reset(token)


def compile_once(template, context, compile_template):
    """``compile_template()``, or what it gave for the same ``template`` in the same ``context``
    within :func:`compiled_once`."""
    compiled = _COMPILED.get()
    if compiled is None or not isinstance(template, etree._Element):
        return compile_template()
    key = (etree.tostring(template), repr(sorted(context.items(), key=lambda item: item[0])))
    if key not in compiled:
        compiled[key] = compile_template()
    return compiled[key]
