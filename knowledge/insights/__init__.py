"""What separates won partner deals from lost ones (DESIGN §6, "Knowledge analyses, on closed deals").

- ``filters``: which closed deals an analysis covers (close period, tier, partner, deal size band);
- ``as_of``: each closed deal's MEDDIC answers as they stood when it entered the proposal phase and when it
  closed, rebuilt from the phase history and the audit trail in two queries;
- ``loss_factors``: win rates by champion status, economic-buyer access and each element's evidence at proposal,
  with intervals, differences, lift and Fisher's exact test (``knowledge.stats``);
- ``ringi``: the ringi patterns R1–R8 derived from the decision-process answers, and how each pattern's deals
  ended;
- ``findings``: the plain-language sentences at the top of the pages.

The population of both analyses: closed (won or lost) deals the caller sees whose close date passes the filters
and that entered the proposal phase (or a later open phase) before closing. Deals that closed before any
proposal are counted and left out: nothing was known "as of proposal" for them.
"""
