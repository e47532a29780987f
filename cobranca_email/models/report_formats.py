import ast

from odoo.tools import float_round, format_date, get_lang

from odoo.addons.base.models.res_lang import intersperse


class ReportFormats:
    """Odoo's ``formatLang`` and ``format_date`` for one language, looked up once.

    A monthly run prints thousands of boletos and statements, each with dates and amounts; Odoo's
    functions (and QWeb's date and monetary widgets) look the language up again at each call, which
    took most of the time of a page's values. The results are the same (a test compares them).
    """

    def __init__(self, env):
        self.env = env
        lang = get_lang(env)
        self.grouping = ast.literal_eval(lang.grouping)
        self.thousands_sep = lang.thousands_sep or ""
        self.decimal_point = lang.decimal_point
        self._dates = {}
        self._texts = {}

    def date(self, value):
        if value not in self._dates:
            self._dates[value] = format_date(self.env, value) if value else ""
        return self._dates[value]

    def number(self, value, digits=2):
        # As formatLang: rounded half to even, then grouped and pointed as the language says.
        rounded = float_round(value, precision_digits=digits, rounding_method="HALF-EVEN")
        integer, _point, decimals = f"{rounded:.{digits}f}".partition(".")
        integer = intersperse(integer, self.grouping, self.thousands_sep)[0]
        return self.decimal_point.join(part for part in (integer, decimals) if part)

    def money(self, value, currency):
        text = self.number(value, currency.decimal_places)
        if not currency.symbol:
            return text
        if currency.position == "after":
            return f"{text}\N{NO-BREAK SPACE}{currency.symbol}"
        return f"{currency.symbol}\N{NO-BREAK SPACE}{text}"

    def text(self, name, translate):
        """A translated sentence, looked up once (``translate()`` returns it)."""
        if name not in self._texts:
            self._texts[name] = translate()
        return self._texts[name]
