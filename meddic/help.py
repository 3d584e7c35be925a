"""One-line help for the deal form: what each element asks, and what each level means *for that element*.

Level 0–3 is the same scale everywhere (Unknown · Hypothesis · Confirmed · Agreed & documented), but what a
rep must have in hand to claim a level differs per element; these lines say it with a concrete example so
that two reps rate the same situation the same way.
"""

from django.utils.translation import gettext_lazy as _

from meddic.models import ElementCode, Evidence

ELEMENT_QUESTIONS = {
    ElementCode.METRICS: _("What will the customer measure success by?"),
    ElementCode.ECONOMIC_BUYER: _("Who holds the budget and signs the purchase off?"),
    ElementCode.DECISION_CRITERIA: _("How will the customer compare the offers?"),
    ElementCode.DECISION_PROCESS: _("How does the purchase get approved (ringi), and when?"),
    ElementCode.IDENTIFY_PAIN: _("Which problem must be solved, and how urgently?"),
    ElementCode.CHAMPION: _("Who inside the customer sells this deal for us?"),
}

LEVEL_HELP = {
    ElementCode.METRICS: {
        0: _("No success measure is known yet."),
        1: _("We assume what the customer wants to improve; they have not confirmed it."),
        2: _("The customer confirmed the success measure (e.g. cut month-end closing from 10 to 5 days)."),
        3: _(
            "The measure and its target are written in a proposal, PoC plan or minutes the customer agreed."
        ),
    },
    ElementCode.ECONOMIC_BUYER: {
        0: _("Nobody knows who holds the budget."),
        1: _("We think we know who decides (title or name), but nobody at the customer confirmed it."),
        2: _("The customer confirmed who approves the budget (e.g. the head of the finance division)."),
        3: _("The economic buyer met us or the partner and agreed to the purchase in principle."),
    },
    ElementCode.DECISION_CRITERIA: {
        0: _("We do not know how the customer will compare offers."),
        1: _("We guess the comparison points (e.g. price, security) from conversations."),
        2: _("The customer told us their criteria and which matter most."),
        3: _("The criteria are in a written RFP, evaluation sheet or PoC success criteria shared with us."),
    },
    ElementCode.DECISION_PROCESS: {
        0: _("We do not know how the purchase will be approved."),
        1: _("We assume the approval route (e.g. department head, then executive) from similar customers."),
        2: _("The customer explained the ringi route, who approves and when the budget is decided."),
        3: _("The approval steps and dates are written down with the customer (e.g. a shared schedule)."),
    },
    ElementCode.IDENTIFY_PAIN: {
        0: _("No concrete problem is known."),
        1: _("We think there is a problem (e.g. support for the current system ends), unconfirmed."),
        2: _("The customer confirmed the problem, what it costs them and why it must be solved now."),
        3: _("The problem and its cost are documented by the customer (e.g. in their internal proposal)."),
    },
    ElementCode.CHAMPION: {
        0: _("Nobody inside the customer is pushing this deal."),
        1: _("Someone seems supportive, but we have not seen them act for us."),
        2: _("A named insider has acted for us (e.g. arranged a meeting with the decision maker)."),
        3: _("The champion proved it: they briefed the decision maker or drafted the ringi themselves."),
    },
}

EVIDENCE_HELP = {
    Evidence.UNKNOWN: _("Nobody has checked it yet."),
    Evidence.REPORTED: _("What the partner heard from the customer."),
    Evidence.EVIDENCED: _("Backed by a document, an email or meeting minutes."),
    Evidence.VERIFIED: _("Confirmed by the vendor's own staff (set by the vendor only)."),
}


def level_help(code: str, level: int):
    return LEVEL_HELP[code][level]
