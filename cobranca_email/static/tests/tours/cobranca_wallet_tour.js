/** @odoo-module */

import { registry } from "@web/core/registry";

// A billing manager creates a wallet, mistypes the account check digit, reads which field is wrong
// and what it should be, fixes it and saves.
registry.category("web_tour.tours").add("cobranca_wallet_check_digit", {
    url: "/odoo/action-cobranca_email.cobranca_wallet_action",
    steps: () => [
        {
            content: "Create a wallet",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Itaú tour",
        },
        {
            content: "Pick the company's Itaú account",
            trigger: ".o_field_widget[name=partner_bank_id] input",
            run: "edit 0057",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(0057)",
            run: "click",
        },
        { trigger: ".o_field_widget[name=agency] input", run: "edit 0057" },
        { trigger: ".o_field_widget[name=account] input", run: "edit 12345" },
        {
            content: "Mistype the account check digit (Itaú's is 7 for 0057/12345)",
            trigger: ".o_field_widget[name=account_dv] input",
            run: "edit 3",
        },
        { trigger: ".o_field_widget[name=carteira] input", run: "edit 109" },
        { trigger: ".o_form_button_save", run: "click" },
        {
            content: "The error names the wallet, the field and the right digit",
            trigger: ".modal:contains(Itaú tour):contains(Account Check Digit):contains(should be 7)",
        },
        { trigger: ".modal .modal-footer .btn-primary", run: "click" },
        { trigger: ".o_field_widget[name=account_dv] input", run: "edit 7" },
        { trigger: ".o_form_button_save", run: "click" },
        {
            content: "Saved (the breadcrumb names the record): the layout is Itaú's",
            trigger: ".o_breadcrumb:contains(Itaú tour) ~ * .o_field_widget[name=bank_layout]:contains(341), .o_action:has(.o_breadcrumb:contains(Itaú tour)) .o_field_widget[name=bank_layout]:contains(341)",
        },
    ],
});
