"""The sample portfolio shipped as ``data/sample.db``, generated deterministically.

A fictional retailer's marketing-technology portfolio: a board covering every
role, about forty initiatives across every stage and category, three past
quarterly reviews (2026-Q1 to Q3) with scores, decisions and action items, access
requests in every tier and state, six quarters of budget lines whose mix has
drifted from 70/20/10, and the 2026-Q4 review planned with its agenda.

Everything goes through the service layer, so the sample obeys the same rules
and carries the same audit trail as real use. Regenerate with
``python -m labreview.sample data/sample.db``; a test fails when the committed
file differs from what this module produces.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

from labreview.domain.vocabulary import CheckState, Criterion, Gate, Quarter
from labreview.portfolio import NewActionItem, Portfolio

SEED = 20261123
ACTOR = "Sample generator"


class Clock:
    """A clock the generator sets; every reading advances it by a second to keep events ordered."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def set(self, day: dt.date, hour: int = 9) -> None:
        self.now = dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


BOARD = (
    ("Dana Whitfield", "sponsor", "dana.whitfield@northwind.example"),
    ("Kim Novak", "innovation-lead", "kim.novak@northwind.example"),
    ("Ravi Menon", "martech-lead", "ravi.menon@northwind.example"),
    ("Lena Fischer", "marketing-ops", "lena.fischer@northwind.example"),
    ("Tomás Álvarez", "analytics-lead", "tomas.alvarez@northwind.example"),
    ("Sam Okafor", "security-partner", "sam.okafor@northwind.example"),
    ("Priya Raman", "privacy-partner", "priya.raman@northwind.example"),
    ("Grace Liu", "finance", "grace.liu@northwind.example"),
    ("Joel Berg", "privacy-partner", "joel.berg@northwind.example"),
)
OWNERS = (
    ("Marco Rossi", "marco.rossi@northwind.example"),
    ("Aisha Bello", "aisha.bello@northwind.example"),
    ("Ben Carter", "ben.carter@northwind.example"),
    ("Chloé Dubois", "chloe.dubois@northwind.example"),
    ("Hana Sato", "hana.sato@northwind.example"),
)


@dataclass
class Spec:
    """One initiative of the sample and its story."""

    key: str
    title: str
    category: str
    owner: str
    vendor: str
    cost: int  # EUR per quarter
    stage: str  # stage when it entered the portfolio
    start: str  # quarter it entered
    objective: str
    users: str
    sensitivity: str
    scope: str
    metric: str
    exit_plan: str
    baseline: str = ""
    target: str = ""
    period: str = ""
    threshold: str = ""
    ai: bool = False
    sponsor: str = "Dana Whitfield"
    renewal: dt.date | None = None
    story: dict[str, tuple[str, str]] = field(default_factory=dict)  # quarter → (outcome, rationale)
    track: str | None = None  # budget track when not the stage's default
    quality: float = 3.5  # how reviewers tend to score it
    agenda: tuple[str, ...] = ()  # quarters whose agenda it is on, besides decisions


def _lab(
    key,
    title,
    category,
    owner,
    vendor,
    cost,
    start,
    objective,
    users,
    sensitivity,
    scope,
    metric,
    exit_plan,
    baseline,
    target,
    period,
    threshold,
    **more,
) -> Spec:
    return Spec(
        key,
        title,
        category,
        owner,
        vendor,
        cost,
        "lab",
        start,
        objective,
        users,
        sensitivity,
        scope,
        metric,
        exit_plan,
        baseline,
        target,
        period,
        threshold,
        **more,
    )


def _tool(
    key, title, category, owner, vendor, cost, objective, users, sensitivity, scope, metric, renewal, **more
) -> Spec:
    return Spec(
        key,
        title,
        category,
        owner,
        vendor,
        cost,
        "factory",
        "2025-Q3",
        objective,
        users,
        sensitivity,
        scope,
        metric,
        "Migrate to the successor platform with a 90-day overlap",
        renewal=renewal,
        **more,
    )


SPECS: tuple[Spec, ...] = (
    # ---- experiments (lab) --------------------------------------------------------------
    _lab(
        "EXP-101",
        "GenAI email subject-line generator",
        "performance",
        "Kim Novak",
        "Quillmark AI",
        9_000,
        "2025-Q3",
        "Lift email open rates without more copywriter hours",
        "CRM team, daily",
        "pseudonymous",
        "one-way-sync",
        "conversion-rate",
        "Fall back to the subject-line library",
        "Open rate 21.4 %",
        "+1.5 points",
        "8 weeks",
        "Unsubscribe rate ≤ 0.3 %",
        ai=True,
        quality=4.2,
        story={
            "2026-Q1": ("iterate", "Lift of +0.9 points is below target; test with the loyalty segment"),
            "2026-Q3": ("promote", "Lift of +1.8 points held for 8 weeks; unsubscribes flat"),
        },
    ),
    _lab(
        "EXP-102",
        "Predictive churn scoring",
        "capability",
        "Kim Novak",
        "Orbital Analytics",
        14_000,
        "2025-Q3",
        "Spot subscribers likely to lapse early enough to win them back",
        "Retention marketers, weekly",
        "pseudonymous",
        "one-way-sync",
        "revenue-lift",
        "Keep the RFM-based segments",
        "Win-back revenue EUR 310k/quarter",
        "+12 %",
        "12 weeks",
        "Model precision ≥ 0.6",
        ai=True,
        quality=3.9,
        story={"2026-Q2": ("iterate", "Precision 0.52; add browsing signals before re-testing")},
        agenda=("2026-Q4",),
    ),
    _lab(
        "EXP-103",
        "Multilingual content localisation with LLM",
        "efficiency",
        "Chloé Dubois",
        "Lingua Loop",
        11_000,
        "2025-Q4",
        "Cut agency translation spend for product pages",
        "Content team, daily",
        "anonymous",
        "isolated",
        "cost-reduction",
        "Return to the translation agency",
        "Agency spend EUR 48k/quarter",
        "-40 %",
        "10 weeks",
        "Error rate ≤ 2 per 1,000 words",
        ai=True,
        quality=4.0,
        story={"2026-Q2": ("promote", "Spend down 46 % with quality at agency level")},
    ),
    _lab(
        "EXP-104",
        "Retail media network pilot",
        "performance",
        "Marco Rossi",
        "ShelfCast",
        22_000,
        "2026-Q1",
        "Test onsite ads sold to suppliers as a new revenue line",
        "Commercial team, weekly",
        "pseudonymous",
        "core-dependency",
        "revenue-lift",
        "Stop selling placements; refund unused supplier credit",
        "EUR 0",
        "EUR 120k/quarter net",
        "1 quarter",
        "Onsite conversion not down more than 1 %",
        quality=3.4,
        agenda=("2026-Q4",),
    ),
    _lab(
        "EXP-105",
        "Connected-TV attribution test",
        "performance",
        "Tomás Álvarez",
        "Vistaline",
        16_000,
        "2026-Q2",
        "Measure whether CTV spend drives store visits",
        "Media team, monthly",
        "pseudonymous",
        "isolated",
        "revenue-lift",
        "Keep CTV on brand budget with panel-based measurement",
        "No attribution",
        "Incremental ROAS measured ±20 %",
        "12 weeks",
        "Match rate ≥ 40 %",
        quality=2.9,
        agenda=("2026-Q4",),
    ),
    _lab(
        "EXP-106",
        "AI creative variant testing",
        "efficiency",
        "Aisha Bello",
        "Pixelforge",
        12_000,
        "2025-Q4",
        "Generate and test display-ad variants automatically",
        "Performance team, daily",
        "anonymous",
        "isolated",
        "efficiency",
        "Return to the in-house design queue",
        "6 variants per campaign",
        "30 variants, CTR +8 %",
        "6 weeks",
        "Brand review rejects ≤ 10 %",
        ai=True,
        quality=3.1,
        story={
            "2026-Q1": ("iterate", "Brand reviewers rejected 22 %; tighten prompts and guardrails"),
            "2026-Q3": ("hold", "Waiting for the brand-safety policy update"),
        },
    ),
    _lab(
        "EXP-107",
        "Conversational commerce chatbot",
        "capability",
        "Ben Carter",
        "Chatterbox",
        18_000,
        "2025-Q3",
        "Answer product questions on the site and in chat apps",
        "Customers, continuous",
        "identifiable",
        "core-dependency",
        "conversion-rate",
        "Route chats back to the contact centre",
        "Chat conversion 3.1 %",
        "+25 %",
        "12 weeks",
        "Containment ≥ 60 %",
        ai=True,
        quality=2.4,
        story={
            "2026-Q2": (
                "kill",
                "Containment 38 %; customers escalated to agents. Learning: catalogue data "
                "is not clean enough for generative answers",
            )
        },
    ),
    _lab(
        "EXP-108",
        "Predictive lead scoring v2",
        "performance",
        "Kim Novak",
        "Orbital Analytics",
        8_000,
        "2026-Q1",
        "Prioritise B2B trade-account leads for the sales team",
        "Trade sales, daily",
        "identifiable",
        "one-way-sync",
        "conversion-rate",
        "Keep the v1 rules",
        "Lead-to-account 7 %",
        "+2 points",
        "10 weeks",
        "Sales accepts ≥ 80 % of top-decile leads",
        ai=True,
        quality=3.6,
        story={"2026-Q3": ("iterate", "Too few trade leads to read the test; extend by 6 weeks")},
    ),
    _lab(
        "EXP-109",
        "Synthetic audience panel",
        "capability",
        "Tomás Álvarez",
        "Simulacra",
        7_000,
        "2026-Q2",
        "Pre-test campaign concepts on synthetic respondents",
        "Brand team, monthly",
        "anonymous",
        "isolated",
        "quality-improvement",
        "Keep the quarterly survey panel",
        "Panel cost EUR 30k per wave",
        "Rank agreement ≥ 0.7 with real panel",
        "2 waves",
        "No PII used",
        ai=True,
        quality=3.0,
    ),
    _lab(
        "EXP-110",
        "Server-side tagging pilot",
        "risk-mitigation",
        "Ravi Menon",
        "Tagstream",
        6_000,
        "2025-Q4",
        "Recover signal lost to browser restrictions while honouring consent",
        "Analytics, continuous",
        "pseudonymous",
        "core-dependency",
        "quality-improvement",
        "Revert to client-side tags",
        "Tracked conversions 81 %",
        "≥ 92 %",
        "8 weeks",
        "Page speed not worse than +50 ms",
        quality=4.3,
        story={
            "2026-Q1": ("promote", "Tracked conversions 94 % with consent enforced server-side"),
            "2026-Q3": ("promote", "Production readiness complete; move to marketing operations"),
        },
    ),
    _lab(
        "EXP-111",
        "Dynamic pricing recommendations",
        "performance",
        "Marco Rossi",
        "Priceline Labs",
        15_000,
        "2026-Q3",
        "Recommend markdowns for slow-moving seasonal stock",
        "Merchandising, weekly",
        "anonymous",
        "one-way-sync",
        "revenue-lift",
        "Keep manual markdown calendar",
        "Margin 31.5 %",
        "+0.8 points",
        "1 season",
        "No price changes without merchant sign-off",
        ai=True,
        quality=3.3,
    ),
    _lab(
        "EXP-112",
        "WhatsApp messaging automation",
        "capability",
        "Hana Sato",
        "Chatterbox",
        9_500,
        "2026-Q3",
        "Order updates and back-in-stock alerts over WhatsApp",
        "Customers, event-driven",
        "identifiable",
        "one-way-sync",
        "conversion-rate",
        "Keep SMS and email notifications",
        "SMS click rate 4 %",
        "WhatsApp click rate ≥ 8 %",
        "8 weeks",
        "Opt-out ≤ 1 %",
        quality=3.7,
        agenda=("2026-Q4",),
    ),
    _lab(
        "EXP-113",
        "Influencer discovery platform",
        "efficiency",
        "Aisha Bello",
        "Fameseek",
        5_000,
        "2026-Q1",
        "Find micro-influencers faster than the agency shortlist",
        "Social team, monthly",
        "pseudonymous",
        "isolated",
        "efficiency",
        "Use the agency shortlist",
        "3 weeks per shortlist",
        "≤ 1 week",
        "1 quarter",
        "Brand-safety screen on every creator",
        quality=2.8,
        story={"2026-Q3": ("kill", "Saved time but duplicated the social listening tool; consolidate there")},
    ),
    _lab(
        "EXP-114",
        "Automated campaign QA",
        "risk-mitigation",
        "Lena Fischer",
        "Checkpoint QA",
        4_500,
        "2026-Q2",
        "Catch broken links, tracking and consent errors before send",
        "Campaign ops, daily",
        "anonymous",
        "one-way-sync",
        "quality-improvement",
        "Manual QA checklist",
        "11 errors per 100 sends",
        "≤ 3 per 100 sends",
        "8 weeks",
        "Adds ≤ 10 minutes per send",
        quality=4.4,
        story={"2026-Q3": ("promote", "Errors down to 2 per 100 sends; QA time cut in half")},
        agenda=("2026-Q4",),
    ),
    _lab(
        "EXP-115",
        "Customer journey analytics sandbox",
        "capability",
        "Tomás Álvarez",
        "Pathwise",
        10_000,
        "2026-Q4",
        "Explore cross-channel journeys before committing to a vendor",
        "Analysts, weekly",
        "pseudonymous",
        "isolated",
        "quality-improvement",
        "Delete the sandbox and its data",
        "",
        "",
        "",
        "",
    ),
    _lab(
        "EXP-116",
        "Open-source marketing mix model",
        "performance",
        "Tomás Álvarez",
        "in-house",
        3_000,
        "2026-Q4",
        "Replace the agency's annual MMM with a quarterly in-house model",
        "Finance and media, quarterly",
        "anonymous",
        "isolated",
        "revenue-lift",
        "Keep the agency MMM contract",
        "Annual MMM, EUR 90k",
        "Quarterly refresh within ±15 % of agency model",
        "2 quarters",
        "Analyst time ≤ 2 days per refresh",
    ),
    _lab(
        "EXP-117",
        "Loyalty personalisation engine",
        "performance",
        "Ben Carter",
        "Recomate",
        24_000,
        "2025-Q3",
        "Personalise loyalty offers by predicted next purchase",
        "Loyalty team, weekly",
        "identifiable",
        "core-dependency",
        "revenue-lift",
        "Keep the static tier offers",
        "Offer redemption 9 %",
        "+30 %",
        "12 weeks",
        "No offer to opted-out members",
        ai=True,
        quality=3.8,
        story={
            "2026-Q1": ("promote", "Redemption +34 % in the test cells"),
            "2026-Q3": ("iterate", "Production readiness stalled on consent and deletion workflows"),
        },
        agenda=("2026-Q4",),
    ),
    _lab(
        "EXP-118",
        "Data clean room with grocery partner",
        "capability",
        "Ravi Menon",
        "Vaultbridge",
        20_000,
        "2025-Q4",
        "Measure co-marketing campaigns without exchanging customer data",
        "Partnerships, monthly",
        "identifiable",
        "one-way-sync",
        "revenue-lift",
        "Stop joint measurement; report separately",
        "No joint measurement",
        "Closed-loop ROAS on 3 campaigns",
        "2 quarters",
        "No row-level export",
        quality=3.5,
        story={"2026-Q2": ("promote", "Three campaigns measured; legal approved the model contract")},
        agenda=("2026-Q4",),
    ),
    _lab(
        "EXP-119",
        "Real-time event streaming to CDP",
        "risk-mitigation",
        "Ravi Menon",
        "Streamyard",
        13_000,
        "2025-Q3",
        "Replace nightly batch loads with event streams",
        "Data engineering, continuous",
        "pseudonymous",
        "core-dependency",
        "quality-improvement",
        "Keep nightly batch",
        "24 h latency",
        "≤ 5 minutes",
        "8 weeks",
        "No event loss above 0.1 %",
        quality=4.1,
        story={"2026-Q1": ("promote", "Latency 3 minutes, loss 0.02 %")},
        agenda=("2026-Q4",),
    ),
    _lab(
        "EXP-120",
        "Beacon-based in-store tracking",
        "capability",
        "Marco Rossi",
        "Bluepath",
        8_000,
        "2025-Q3",
        "Link store visits to digital campaigns",
        "Store marketing, monthly",
        "identifiable",
        "one-way-sync",
        "revenue-lift",
        "Remove beacons from pilot stores",
        "No store attribution",
        "Attribution for 30 % of visits",
        "1 quarter",
        "Opt-in consent for every tracked device",
        quality=1.9,
        story={
            "2026-Q1": (
                "kill",
                "Opt-in rate 4 %; cannot reach the threshold lawfully. Learning: use loyalty scans instead",
            )
        },
    ),
    _lab(
        "EXP-121",
        "Generative product descriptions",
        "efficiency",
        "Chloé Dubois",
        "Quillmark AI",
        7_500,
        "2026-Q1",
        "Draft product descriptions for the long tail of the catalogue",
        "Content team, daily",
        "anonymous",
        "isolated",
        "efficiency",
        "Keep supplier descriptions",
        "40 minutes per product",
        "≤ 10 minutes with review",
        "8 weeks",
        "Human review of every description",
        ai=True,
        quality=4.0,
        story={
            "2026-Q2": ("iterate", "Time saved but tone inconsistent; add brand voice guide"),
            "2026-Q3": ("promote", "12 minutes per product with review; brand team satisfied"),
        },
        agenda=("2026-Q4",),
    ),
    # ---- production tools (factory) ----------------------------------------------------
    _tool(
        "FAC-001",
        "CRM platform",
        "capability",
        "Lena Fischer",
        "Corvid CRM",
        120_000,
        "Single customer record for service, sales and marketing",
        "All customer-facing teams",
        "identifiable",
        "core-dependency",
        "revenue-lift",
        dt.date(2027, 6, 30),
        quality=4.0,
    ),
    _tool(
        "FAC-002",
        "Customer data platform",
        "capability",
        "Ravi Menon",
        "Segmentry",
        85_000,
        "Unify identities and audiences across channels",
        "Marketing and analytics",
        "identifiable",
        "core-dependency",
        "conversion-rate",
        dt.date(2027, 3, 31),
        quality=3.9,
        story={"2026-Q3": ("renew", "Identity match rate 78 %; renew for 2 years with volume cap")},
    ),
    _tool(
        "FAC-003",
        "Campaign orchestration",
        "efficiency",
        "Lena Fischer",
        "Marquee",
        60_000,
        "Build, schedule and send multi-step campaigns",
        "Campaign ops, daily",
        "identifiable",
        "core-dependency",
        "efficiency",
        dt.date(2027, 1, 31),
        quality=3.6,
        agenda=("2026-Q4",),
    ),
    _tool(
        "FAC-004",
        "Consent management platform",
        "risk-mitigation",
        "Priya Raman",
        "Consentra",
        18_000,
        "Collect and enforce consent on every site and app",
        "All digital properties",
        "pseudonymous",
        "core-dependency",
        "quality-improvement",
        dt.date(2027, 9, 30),
        quality=4.5,
        story={"2026-Q1": ("renew", "Audit found no gaps; renew")},
    ),
    _tool(
        "FAC-005",
        "Web analytics implementation",
        "capability",
        "Tomás Álvarez",
        "Metricsphere",
        45_000,
        "Measure digital behaviour and campaign performance",
        "Analysts and marketers",
        "pseudonymous",
        "core-dependency",
        "quality-improvement",
        dt.date(2027, 2, 28),
        quality=3.7,
    ),
    _tool(
        "FAC-006",
        "Headless CMS",
        "efficiency",
        "Chloé Dubois",
        "Contentric",
        30_000,
        "Publish content to web, app and stores from one place",
        "Content team, daily",
        "anonymous",
        "core-dependency",
        "efficiency",
        dt.date(2027, 8, 31),
        quality=3.8,
    ),
    _tool(
        "FAC-007",
        "Mobile engagement platform",
        "performance",
        "Hana Sato",
        "Pushwise",
        40_000,
        "Push, in-app and SMS messaging",
        "CRM team, daily",
        "identifiable",
        "core-dependency",
        "conversion-rate",
        dt.date(2026, 12, 31),
        quality=3.2,
        agenda=("2026-Q4",),
    ),
    _tool(
        "FAC-008",
        "BI and reporting",
        "efficiency",
        "Tomás Álvarez",
        "Lookwell",
        22_000,
        "Standard dashboards for marketing KPIs",
        "Managers, weekly",
        "anonymous",
        "one-way-sync",
        "efficiency",
        dt.date(2027, 4, 30),
        quality=3.9,
    ),
    _tool(
        "FAC-009",
        "Paid media stack",
        "performance",
        "Aisha Bello",
        "Adgrid",
        35_000,
        "Plan, buy and report search, social and display",
        "Performance team, daily",
        "pseudonymous",
        "one-way-sync",
        "revenue-lift",
        dt.date(2027, 5, 31),
        quality=3.5,
    ),
    _tool(
        "FAC-010",
        "Approved AI copy assistant",
        "efficiency",
        "Chloé Dubois",
        "Quillmark AI",
        15_000,
        "Draft and adapt copy under brand and legal guardrails",
        "Content and CRM teams",
        "anonymous",
        "isolated",
        "efficiency",
        dt.date(2027, 7, 31),
        ai=True,
        quality=4.1,
    ),
    _tool(
        "FAC-011",
        "Digital asset management",
        "efficiency",
        "Chloé Dubois",
        "Assetry",
        14_000,
        "One library of approved images, video and rights",
        "Creative and content teams",
        "anonymous",
        "one-way-sync",
        "efficiency",
        dt.date(2027, 10, 31),
        quality=3.6,
    ),
    _tool(
        "FAC-012",
        "Email deliverability monitoring",
        "risk-mitigation",
        "Lena Fischer",
        "Inboxly",
        6_000,
        "Watch sender reputation and inbox placement",
        "Campaign ops, daily",
        "anonymous",
        "isolated",
        "quality-improvement",
        dt.date(2027, 2, 28),
        quality=3.4,
    ),
    _tool(
        "FAC-013",
        "Social listening",
        "capability",
        "Aisha Bello",
        "Murmur",
        12_000,
        "Track brand mentions, sentiment and creators",
        "Social and PR teams",
        "pseudonymous",
        "isolated",
        "quality-improvement",
        dt.date(2027, 1, 31),
        quality=3.3,
    ),
    _tool(
        "FAC-014",
        "Legacy email service provider",
        "efficiency",
        "Lena Fischer",
        "PostRelay",
        25_000,
        "Transactional email still sent from the old platform",
        "Operations, continuous",
        "identifiable",
        "core-dependency",
        "efficiency",
        dt.date(2026, 12, 31),
        quality=2.1,
        story={"2026-Q2": ("renew", "Six-month extension while transactional mail moves to orchestration")},
        agenda=("2026-Q4",),
    ),
    _tool(
        "FAC-015",
        "Print catalogue personalisation",
        "performance",
        "Marco Rossi",
        "Inkwise",
        9_000,
        "Versioned print catalogues by segment",
        "Catalogue team, twice a year",
        "identifiable",
        "one-way-sync",
        "revenue-lift",
        dt.date(2026, 6, 30),
        quality=2.0,
        story={"2026-Q2": ("retire", "Catalogue response fell below cost; final drop in June")},
    ),
    _tool(
        "FAC-016",
        "Rules-based chatbot v1",
        "efficiency",
        "Ben Carter",
        "Chatterbox",
        7_000,
        "Answer order-status questions",
        "Customers",
        "identifiable",
        "one-way-sync",
        "efficiency",
        dt.date(2026, 3, 31),
        quality=2.2,
        story={"2026-Q1": ("consolidate", "Order-status answers move into the contact-centre platform")},
    ),
    _tool(
        "FAC-018",
        "Campaign taxonomy clean-up",
        "risk-mitigation",
        "Lena Fischer",
        "in-house",
        28_000,
        "One naming convention for campaigns, channels and audiences",
        "Campaign ops and analysts",
        "anonymous",
        "isolated",
        "quality-improvement",
        None,
        track="iterate",
        quality=3.9,
    ),
    _tool(
        "FAC-019",
        "CDP audience rebuild",
        "performance",
        "Ravi Menon",
        "Segmentry",
        26_000,
        "Rebuild the top 40 audiences on the unified identity graph",
        "CRM and media teams",
        "pseudonymous",
        "core-dependency",
        "conversion-rate",
        None,
        track="iterate",
        quality=3.6,
    ),
    _tool(
        "FAC-017",
        "Duplicate social scheduler",
        "efficiency",
        "Aisha Bello",
        "Postpilot",
        4_000,
        "Schedule organic social posts",
        "Social team",
        "anonymous",
        "isolated",
        "efficiency",
        dt.date(2026, 9, 30),
        quality=2.3,
        story={"2026-Q3": ("retire", "Scheduling is built into social listening; one licence is enough")},
    ),
)

SESSIONS = {
    "2026-Q1": (
        dt.date(2026, 2, 12),
        "Kim Novak",
        ("Dana Whitfield", "Kim Novak", "Ravi Menon", "Lena Fischer", "Tomás Álvarez", "Priya Raman", "Sam Okafor"),
    ),
    "2026-Q2": (
        dt.date(2026, 5, 14),
        "Kim Novak",
        (
            "Dana Whitfield",
            "Kim Novak",
            "Ravi Menon",
            "Lena Fischer",
            "Tomás Álvarez",
            "Priya Raman",
            "Grace Liu",
            "Sam Okafor",
        ),
    ),
    "2026-Q3": (
        dt.date(2026, 8, 20),
        "Lena Fischer",
        (
            "Dana Whitfield",
            "Kim Novak",
            "Ravi Menon",
            "Lena Fischer",
            "Priya Raman",
            "Sam Okafor",
            "Grace Liu",
            "Joel Berg",
        ),
    ),
    "2026-Q4": (
        dt.date(2026, 11, 23),
        "Kim Novak",
        (
            "Dana Whitfield",
            "Kim Novak",
            "Ravi Menon",
            "Lena Fischer",
            "Tomás Álvarez",
            "Priya Raman",
            "Sam Okafor",
            "Grace Liu",
        ),
    ),
}
BUDGET_QUARTERS = ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")

ACTIONS = {
    "iterate": ("Re-run the test with the changes agreed", 42),
    "promote": ("Complete the production-readiness checklist", 60),
    "kill": ("Publish the learning note and switch the pilot off", 21),
    "hold": ("Bring the policy update to the next review", 70),
    "renew": ("Negotiate the renewal within the agreed cap", 45),
    "retire": ("Run the sunset plan and confirm data deletion", 60),
    "consolidate": ("Move users and data to the surviving platform", 60),
}
WAIVERS = {
    "Learnings written up and shared": "Learning note scheduled after the next campaign peak",
    "Training and support plan": "Vendor-led training already contracted",
    "Reporting compatibility": "Reports stay in the vendor console for the first 90 days",
}


def generate(target: str | Path) -> Path:
    """Write the sample portfolio to ``target`` (which must not exist) and return its path."""
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} exists; remove it first")
    rng = random.Random(SEED)
    clock = Clock(dt.datetime(2025, 7, 1, 9, tzinfo=dt.UTC))
    portfolio = Portfolio.open(target, create=True, actor=ACTOR, clock=clock)
    try:
        _build(portfolio, clock, rng)
    finally:
        portfolio.close()
    _compact(target)
    return target


def _build(p: Portfolio, clock: Clock, rng: random.Random) -> None:
    p.set_setting("name", "Northwind Retail — marketing technology")
    p.set_setting("currency", "EUR")
    for name, role, email in BOARD:
        p.add_person(name, role, email)
    for name, email in OWNERS:
        p.add_person(name, None, email)
    templates = p.templates()
    by_gate = {gate: [t for t in templates if t.gate is gate] for gate in Gate}

    def check_gate(key: str, gate: Gate, *, leave_open: int = 0, ai: bool = False, waive: bool = False) -> None:
        items = [t for t in by_gate[gate] if ai or not t.ai_only]
        for index, item in enumerate(items):
            if index >= len(items) - leave_open:
                break
            if waive and item.text in WAIVERS:
                p.set_check(key, item.id, CheckState.WAIVED, WAIVERS[item.text])
            else:
                p.set_check(key, item.id, CheckState.MET)

    created: set[str] = set()

    def create_due(quarter: str) -> None:
        for spec in SPECS:
            if spec.start <= quarter and spec.key not in created:
                clock.set(Quarter.parse(spec.start).first_day + dt.timedelta(days=5))
                p.create_initiative(
                    spec.key,
                    spec.title,
                    stage=spec.stage,
                    category=spec.category,
                    owner=spec.owner,
                    track=spec.track,
                    sponsor=spec.sponsor,
                    vendor=spec.vendor,
                    quarterly_cost=spec.cost * 100,
                    renewal_date=spec.renewal,
                    ai_heavy=spec.ai,
                    description=spec.objective,
                    baseline=spec.baseline,
                    target_lift=spec.target,
                    test_period=spec.period,
                    operational_threshold=spec.threshold,
                    intake={
                        "business_objective": spec.objective,
                        "user_group": spec.users,
                        "data_sensitivity": spec.sensitivity,
                        "integration_scope": spec.scope,
                        "success_metric": spec.metric,
                        "exit_plan": spec.exit_plan,
                    },
                )
                created.add(spec.key)
                if spec.stage == "factory":
                    for gate in (Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW, Gate.PRODUCTION_READINESS):
                        check_gate(spec.key, gate, ai=spec.ai, waive=spec.key in ("FAC-009", "FAC-013"))
                    check_gate(spec.key, Gate.SCALE_MONITORING, leave_open=rng.choice((0, 1, 2)), ai=spec.ai)
                elif spec.baseline:  # pilots with pre-registered criteria are approved to run
                    check_gate(spec.key, Gate.PILOT_APPROVAL, ai=spec.ai)
                else:
                    check_gate(spec.key, Gate.PILOT_APPROVAL, leave_open=3, ai=spec.ai)

    def budget(quarter: str) -> None:
        clock.set(Quarter.parse(quarter).first_day + dt.timedelta(days=10))
        for spec in SPECS:
            if spec.key not in created:
                continue
            view = p.initiative(spec.key)
            if view.stage.value == "retired":
                continue
            drift = 1 + (BUDGET_QUARTERS.index(quarter) * (0.04 if view.track.value == "lab" else 0.01))
            p.set_budget_line(quarter, spec.key, int(spec.cost * drift) * 100)

    for quarter in BUDGET_QUARTERS[:2]:
        create_due(quarter)
        budget(quarter)

    _access_requests_early(p, clock)

    for quarter, (held_on, facilitator, attendees) in SESSIONS.items():
        create_due(quarter)
        budget(quarter)
        clock.set(held_on - dt.timedelta(days=14))
        p.create_session(quarter, held_on=held_on, facilitator=facilitator, attendees=attendees)
        agenda = [s for s in SPECS if quarter in s.story or quarter in s.agenda]
        for spec in agenda:
            p.toggle_agenda(quarter, spec.key)
        if quarter == "2026-Q4":
            _prepare_q4(p, clock, check_gate)
            break
        _prepare_promotions(p, quarter, check_gate)
        clock.set(held_on, hour=13)
        p.start_session(quarter)
        _sign_in_session(p, quarter)
        reviewers = [n for n in attendees if n not in ("Sam Okafor", "Joel Berg")]
        for spec in agenda:
            _score(p, rng, quarter, spec, reviewers)
            p.add_time(quarter, spec.key, rng.randint(240, 720))
            if quarter in spec.story:
                _decide(p, quarter, spec, held_on)
        clock.set(held_on, hour=16)
        p.end_session(quarter)
        _close_old_actions(p, clock, held_on)


def _prepare_promotions(p: Portfolio, quarter: str, check_gate) -> None:
    for spec in SPECS:
        outcome = spec.story.get(quarter, ("", ""))[0]
        if outcome != "promote":
            continue
        stage = p.initiative(spec.key).stage.value
        if stage == "lab":
            check_gate(spec.key, Gate.EVIDENCE_REVIEW, ai=spec.ai, waive=spec.key == "EXP-117")
        elif stage == "transition":
            check_gate(spec.key, Gate.PRODUCTION_READINESS, ai=spec.ai, waive=spec.key == "EXP-110")


def _score(p: Portfolio, rng: random.Random, quarter: str, spec: Spec, reviewers: list[str]) -> None:
    contested = rng.random() < 0.3
    for reviewer in reviewers:
        for index, criterion in enumerate(Criterion):
            base = spec.quality + rng.uniform(-0.8, 0.8)
            if contested and index == 1:
                base += 1.6 if reviewer in ("Lena Fischer", "Ravi Menon") else -1.2
            p.record_score(quarter, spec.key, reviewer, criterion, max(1, min(5, round(base))))


def _decide(p: Portfolio, quarter: str, spec: Spec, held_on: dt.date) -> None:
    outcome, rationale = spec.story[quarter]
    text, days = ACTIONS[outcome]
    owner = p.person(spec.owner)
    conditions = {
        "promote": "Production readiness reviewed by security and privacy before go-live",
        "renew": "Renewal capped at current cost plus 3 %",
        "iterate": "Same budget; report at the next review",
    }.get(outcome, "")
    p.record_decision(
        quarter,
        spec.key,
        outcome,
        rationale=rationale,
        conditions=conditions,
        next_review=held_on + dt.timedelta(days=91) if outcome in ("iterate", "hold", "promote", "renew") else None,
        action_items=[NewActionItem(text, owner.id, held_on + dt.timedelta(days=days))],
    )


def _close_old_actions(p: Portfolio, clock: Clock, held_on: dt.date) -> None:
    """Most actions from earlier sessions get done; a few stay open to show up in the minutes."""
    clock.set(held_on + dt.timedelta(days=30))
    for item in p.action_items():
        if item.status == "open" and item.due < held_on + dt.timedelta(days=30) and item.id % 3 != 0:
            p.complete_action_item(item.id)


def _access_requests_early(p: Portfolio, clock: Clock) -> None:
    """Requests signed outside sessions in 2025: an approval that has expired since, and Level 1 attestations."""
    clock.set(dt.date(2025, 10, 20))
    expired = p.request_access(
        "EXP-120",
        tier=3,
        data_description="Device IDs of opted-in app users in pilot stores",
        retention_days=90,
        expires_on=dt.date(2026, 3, 31),
    )
    p.sign_access(expired.id, "Priya Raman", conditions="Pilot stores only; purge after the test")
    p.sign_access(expired.id, "Sam Okafor", conditions="Devices hashed at collection")
    for key in ("EXP-103", "EXP-106"):
        request = p.request_access(
            key,
            tier=1,
            data_description="Aggregate engagement by content type",
            retention_days=365,
            expires_on=dt.date(2026, 10, 31),
            export_allowed=True,
        )
        p.sign_access(request.id, p.initiative(key).owner.name)


def _sign_in_session(p: Portfolio, quarter: str) -> None:
    if quarter == "2026-Q1":
        request = p.request_access(
            "EXP-102",
            tier=2,
            data_description="Pseudonymous subscription and browsing events",
            retention_days=180,
            expires_on=dt.date(2027, 1, 31),
        )
        p.sign_access(
            request.id, "Priya Raman", conditions="No export outside the analytics workspace", quarter=quarter
        )
        request = p.request_access(
            "EXP-117",
            tier=3,
            data_description="Loyalty members' purchase history with email",
            retention_days=365,
            expires_on=dt.date(2027, 2, 28),
        )
        p.sign_access(request.id, "Priya Raman", conditions="Opted-out members excluded at source", quarter=quarter)
        p.sign_access(request.id, "Sam Okafor", conditions="Access through the clean room only", quarter=quarter)
    elif quarter == "2026-Q2":
        request = p.request_access(
            "EXP-107",
            tier=3,
            data_description="Chat transcripts with order numbers",
            retention_days=30,
            expires_on=dt.date(2026, 8, 31),
        )
        p.sign_access(
            request.id,
            "Sam Okafor",
            approve=False,
            quarter=quarter,
            conditions="Transcripts leave the EU through the vendor's sub-processor",
        )
        request = p.request_access(
            "EXP-118",
            tier=3,
            data_description="Hashed emails matched in the clean room",
            retention_days=180,
            expires_on=dt.date(2027, 5, 31),
        )
        p.sign_access(request.id, "Priya Raman", conditions="Aggregates of 50 or more only", quarter=quarter)
        p.sign_access(request.id, "Sam Okafor", quarter=quarter)
    elif quarter == "2026-Q3":
        request = p.request_access(
            "EXP-108",
            tier=3,
            data_description="Trade-account contacts and order history",
            retention_days=120,
            expires_on=dt.date(2027, 6, 30),
        )
        p.sign_access(
            request.id, "Joel Berg", conditions="Business contacts only; no consumer records", quarter=quarter
        )
        request = p.request_access(
            "EXP-101",
            tier=2,
            data_description="Pseudonymous open and click events",
            retention_days=90,
            expires_on=dt.date(2027, 3, 31),
        )
        p.sign_access(request.id, "Priya Raman", quarter=quarter)


def _prepare_q4(p: Portfolio, clock: Clock, check_gate) -> None:
    """The 2026-Q4 review is planned: requests waiting for the board, gates in various states."""
    clock.set(dt.date(2026, 11, 16))
    p.request_access(
        "EXP-112",
        tier=3,
        data_description="Customer phone numbers and order status",
        retention_days=60,
        expires_on=dt.date(2027, 5, 31),
    )
    p.request_access(
        "EXP-109",
        tier=1,
        data_description="Aggregate survey benchmarks only",
        retention_days=365,
        expires_on=dt.date(2027, 11, 30),
        export_allowed=True,
    )
    p.request_access(
        "EXP-104",
        tier=2,
        data_description="Pseudonymous onsite ad impressions and orders",
        retention_days=180,
        expires_on=dt.date(2027, 6, 30),
    )
    p.request_access(
        "EXP-111",
        tier=1,
        data_description="Aggregate sell-through by SKU and store",
        retention_days=365,
        expires_on=dt.date(2027, 11, 30),
        export_allowed=True,
    )
    # EXP-119 and EXP-121 are ready for production; EXP-118 still has open readiness items.
    check_gate("EXP-119", Gate.PRODUCTION_READINESS)
    check_gate("EXP-121", Gate.PRODUCTION_READINESS, ai=True)
    check_gate("EXP-118", Gate.PRODUCTION_READINESS, leave_open=4)
    check_gate("EXP-102", Gate.EVIDENCE_REVIEW, leave_open=2, ai=True)
    check_gate("EXP-114", Gate.PRODUCTION_READINESS, leave_open=1)
    templates = [t for t in p.templates() if t.gate is Gate.EVIDENCE_REVIEW]
    p.set_check("EXP-105", templates[1].id, CheckState.NOT_MET)
    p.set_check("EXP-105", templates[0].id, CheckState.MET)
    p.set_success_criterion(
        "EXP-105",
        "target_lift",
        "Incremental ROAS measured ±25 %",
        reason="Panel vendor could only match 35 % of households; agreed wider interval",
        quarter="2026-Q4",
    )
    clock.set(dt.date(2026, 11, 20))


def _compact(path: Path) -> None:
    """One self-contained file: no WAL beside it, no free pages."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("VACUUM")
    finally:
        connection.close()


def dump(path: str | Path) -> list[str]:
    """The database's content as SQL statements, for comparing two generations."""
    connection = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m labreview.sample OUTPUT.db", file=sys.stderr)
        return 2
    out = Path(args[0])
    tmp = out.with_name(out.name + ".new")
    tmp.unlink(missing_ok=True)
    generate(tmp)
    tmp.replace(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
