/** @odoo-module */

import { registry } from "@web/core/registry";

// Billing e-mail > Settings opens Invoicing's settings at the Billing E-mail section, not at their top.
registry.category("web_tour.tours").add("cobranca_settings_menu", {
    url: "/odoo/action-account.action_move_out_invoice_type",
    steps: () => [
        {
            content: "Open Invoicing's Configuration menu",
            trigger: ".o_menu_sections [data-menu-xmlid='account.menu_finance_configuration']",
            run: "click",
        },
        {
            content: "Billing e-mail > Settings",
            trigger: ".o-dropdown-item[data-menu-xmlid='cobranca_email.menu_cobranca_email_settings']",
            run: "click",
        },
        {
            content: "Invoicing's settings are open",
            trigger: ".settings_tab .selected[data-key='account']",
        },
        {
            content: "scrolled to the Billing E-mail section: its title at the top of the settings",
            trigger: ".settings #cobranca_email_section + h2:contains(Billing E-mail)",
            async run() {
                const settings = document.querySelector(".settings");
                const title = document.querySelector("#cobranca_email_section + h2");
                // The web client scrolls to the address's #id once the action is loaded.
                for (let waited = 0; waited < 5000; waited += 100) {
                    const offset = title.getBoundingClientRect().top - settings.getBoundingClientRect().top;
                    if (settings.scrollTop > 0 && offset >= -5 && offset < 100) {
                        return;
                    }
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                throw new Error("the settings did not scroll to the Billing E-mail section");
            },
        },
    ],
});
