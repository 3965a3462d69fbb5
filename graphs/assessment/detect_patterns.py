"""Phrase tables for the offline detector: our own paraphrases of how founders describe things.

Each entry: (pattern, value, literal). `value` is what a plain match means for the key; a
non-literal match preceded by (or containing) a negation is flipped. Literal patterns already
spell out their negation ("can't hire a full-time CTO") and are taken as written.
"""

from __future__ import annotations

import re

Entry = tuple[re.Pattern[str], bool, bool]
NEG = r"(?:not|no|never|n't|without|nobody|none)"


def _p(pattern: str, value: bool = True, literal: bool = False) -> Entry:
    return re.compile(pattern, re.IGNORECASE), value, literal


CANT = r"(?:can'?t|cannot|can not|unable to|not able to|couldn'?t|won'?t be able to)"
FULL_TIME_CTO = r"(?:a |an )?(?:full[- ]?time|permanent|in[- ]house|real)\s+(?:cto|tech lead|head of (?:ai|engineering))"

STAGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "pe_smb",
        re.compile(
            r"\b(private[- ]equity|pe[- ]backed|pe[- ]owned|pe firm|portfolio company)\b", re.I
        ),
    ),
    ("series_ab", re.compile(r"\b(series[- ]?[ab]\b|raised (?:our|a) series [ab])", re.I)),
    (
        "seed",
        re.compile(
            r"\b(pre[- ]?seed|seed[- ]stage|seed round|seed startup|seed company|at seed|a seed|angel[- ]funded)\b",
            re.I,
        ),
    ),
    (
        "enterprise",
        re.compile(
            r"\b(enterprise|fortune 500|business unit|department (?:of|in|at)|large corporat\w+|our department)\b",
            re.I,
        ),
    ),
)

SIGNALS: dict[str, tuple[Entry, ...]] = {
    "pilot_stalled": (
        _p(
            r"\b(pilot|poc|proof of concept|mvp)\b[^.;]{0,40}\b(stall\w*|stuck|died|dead|going nowhere|went nowhere|fizzled)"
        ),
        _p(
            r"\b(stall\w*|stuck|nothing happened|went nowhere)\b[^.;]{0,20}\b(after|since) the demo"
        ),
        _p(r"\bdemo (worked|went (well|great)|was great)\b[^.;]{0,40}\b(but|yet|then)\b"),
    ),
    "strategy_by_tools": (
        _p(r"\bboard\b[^.;]{0,50}\b(ai strategy|strategy)\b"),
        _p(
            r"\b(trial\w*|testing|piloting|evaluating|buying)\b[^.;]{0,20}\b(tools|vendors|copilots)\b"
        ),
        _p(
            r"\b(five|5|four|several|many|lots of|a bunch of)\b[^.;]{0,10}\b(vendor trials|tools|vendors)\b"
        ),
    ),
    "prototypes_not_shipping": (
        _p(
            r"\b(prototypes?|demos?|experiments?|branch(es)?)\b[^.;]{0,40}\b(never|don'?t|do not|doesn'?t|not)\b[^.;]{0,15}\b(ship|make it|reach|get to|go (to|into)|land)",
            literal=True,
        ),
        _p(r"\bnothing\b[^.;]{0,20}\b(ships|shipped|in production|goes live)\b", literal=True),
        _p(r"\b(stuck|stays?|live[sd]?) (in|on) (a |some )?(side |feature )?branch\w*"),
    ),
    "vendor_lock_in_fear": (
        _p(r"\block[- ]?in\b"),
        _p(
            r"\b(afraid|worried|scared|nervous|fear\w*|paranoid)\b[^.;]{0,40}\b(vendor|provider|openai|anthropic|pricing|model provider)"
        ),
        _p(r"\bwhat if\b[^.;]{0,30}\b(vendor|provider|pricing|price)\b"),
        _p(r"\bself[- ]?host\w*\b[^.;]{0,15}\blater\b"),
    ),
    "founders_firefighting": (
        _p(
            r"\b(founders?|ceo|i|co-?founders?)\b[^.;]{0,40}\b(coding|debugging|fixing|patching|firefighting|babysitting)\b"
        ),
        _p(r"\b(at )?(1|2|3|two|three) ?(am|a\.m\.)\b"),
        _p(r"\b(in the middle of the night|late at night|at midnight|every night)\b"),
        _p(r"\b(founders?|ceo)\b[^.;]{0,20}\b(reviews?|approves?|signs? off on) every\b"),
    ),
    "agency_dependence": (
        _p(
            r"\b(agency|agencies|dev shop|consultancy|outsourc\w+|contractors?)\b[^.;]{0,60}\b(built|builds|building|owns?|runs?|burn\w*|expensive|change requests?|handoff|hand-off)\b"
        ),
        _p(r"\b(burn\w*|spend\w*|paying)\b[^.;]{0,30}\b(agency|agencies|dev shop)\b"),
    ),
    "decisions_cannot_wait": (
        _p(
            CANT + r"\s+(?:yet\s+)?(?:afford|hire|find|attract|justify)\s+" + FULL_TIME_CTO,
            literal=True,
        ),
        _p(r"\b(decisions?|choices?)\b[^.;]{0,20}\b(can'?t|cannot) wait\b", literal=True),
        _p(
            r"\b(irreversible|one-way|big|hard-to-reverse|architecture|architectural) (decisions?|calls?|choices?)\b[^.;]{0,40}\b(now|soon|this (month|quarter)|being made|coming up|pending)\b"
        ),
        _p(r"\bno (full[- ]?time |permanent )?cto\b[^.;]{0,30}\b(yet|but)\b", literal=True),
    ),
    "no_ai_governance": (
        _p(
            r"\b(no|without|lack of|lacking|missing|zero|any)\b[^.;]{0,15}\b(ai )?(governance|usage policy|ai policy|audit trail)",
            literal=True,
        ),
        _p(
            r"\b(nobody|no one|noone)\b[^.;]{0,10}\b(owns?|responsible for)\b[^.;]{0,15}\b(governance|policy|ai risk)",
            literal=True,
        ),
        _p(
            r"\b(don'?t|do not|dont)\b[^.;]{0,10}\bhave\b[^.;]{0,15}\b(governance|policy|policies|audit)",
            literal=True,
        ),
        _p(r"\bpersonal (chatgpt |ai )?accounts?\b"),
        _p(
            r"\b(we have|there is|there'?s)\b[^.;]{0,20}\b(ai )?(governance|ai policy|usage policy)\b",
            value=False,
        ),
    ),
}

DISQUALIFIERS: dict[str, tuple[Entry, ...]] = {
    "pitch_deck_only": (
        _p(
            r"\b(just|only|mainly|mostly|simply)\b[^.;]{0,25}\b(deck|slides|strategy (doc|document|paper)|pitch)\b"
        ),
        _p(r"\b(deck|slides)\b[^.;]{0,15}\bfor (the )?(board|investors|fundraise|fundraising)\b"),
    ),
    "strong_cto_owns_ai": (
        _p(r"\b(strong|great|experienced|solid|excellent|capable)\b[^.;]{0,10}\bcto\b"),
        _p(r"\bcto\b[^.;]{0,20}\b(owns?|leads?|runs?|is on top of)\b[^.;]{0,10}\b(ai|ml|the ai)\b"),
        _p(r"\b(need|want)\b[^.;]{0,10}\b(extra|more) (hands|capacity|engineers)\b"),
    ),
    "problem_undefined": (
        _p(
            r"\b(not sure|don'?t know|no idea|unclear)\b[^.;]{0,20}\b(what|which)\b[^.;]{0,10}\b(problem|use case|workflow|to build)",
            literal=True,
        ),
        _p(
            r"\b(no|without a|haven'?t (got|found) a)\b[^.;]{0,10}\b(clear |defined |concrete )?(use case|problem|workflow)\b",
            literal=True,
        ),
        _p(r"\bdo something with ai\b"),
    ),
    "political_compromise": (
        _p(r"\bpolitic\w*\b"),
        _p(r"\bcompromise (hire|candidate|solution)\b"),
        _p(r"\b(no|without) (real |any )?(authority|mandate|decision rights)\b", literal=True),
    ),
    "no_access": (
        _p(
            CANT.replace("can'?t", "(?:can'?t|won'?t|will not|wouldn'?t)")
            + r"\s+(?:give|grant|share|provide|open)\b[^.;]{0,30}\b(access|repo|code|data|systems)",
            literal=True,
        ),
        _p(r"\bno access to\b[^.;]{0,20}\b(repo|code|data|systems|decision makers)", literal=True),
        _p(
            r"\b(repo|code|data|systems)\b[^.;]{0,10}\b(is|are|stays?) off[- ]limits\b",
            literal=True,
        ),
    ),
}

CONTEXT: dict[str, tuple[Entry, ...]] = {
    "tech_permanent_center": (
        _p(
            r"\b(we are|we'?re|as) (a|an)\b[^.;]{0,10}\b(ai|software|saas|tech|technology|platform|deep[- ]tech)\b[^.;]{0,10}\b(company|startup|business|product)\b"
        ),
        _p(r"\b(technology|tech|software|ai) is (our|the) (core|product|business)\b"),
        _p(
            r"\b(tech|technology|software) is (not|n't) (our|the) (core|product|business)\b",
            value=False,
            literal=True,
        ),
    ),
    "can_attract_cto": (
        _p(
            r"\b(can|could|are able to)\b[^.;]{0,10}\b(afford|attract|hire|recruit)\b[^.;]{0,10}"
            + FULL_TIME_CTO
        ),
        _p(
            CANT + r"\s+(?:yet\s+)?(?:afford|hire|find|attract|recruit)\s+" + FULL_TIME_CTO,
            value=False,
            literal=True,
        ),
    ),
    "work_well_scoped": (
        _p(r"\b(well|clearly|tightly|fully)[- ]scoped\b"),
        _p(r"\bclear (spec|specs|scope|requirements|deliverables)\b"),
        _p(
            r"\b(vague|fuzzy|unclear|undefined) (scope|requirements|spec)\b",
            value=False,
            literal=True,
        ),
    ),
    "architecture_owned": (
        _p(r"\b(we|our (cto|team|architect|engineers?))\b[^.;]{0,10}\bowns? the architecture\b"),
        _p(r"\barchitecture is (owned|defined|in place|solid)\b"),
        _p(r"\b(nobody|no one)\b[^.;]{0,10}\bowns? the architecture\b", value=False, literal=True),
        _p(r"\bno architecture (map|owner|diagram)\b", value=False, literal=True),
    ),
    "needs_occasional_input": (
        _p(r"\b(few|couple of|handful of) hours (a|per) month\b"),
        _p(r"\boccasional (advice|input|guidance|check-?ins?)\b"),
        _p(r"\b(sounding board|board support|hiring input)\b"),
    ),
}
