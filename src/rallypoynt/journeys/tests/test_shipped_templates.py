"""The shipped templates say what the seeds say, and each business level changes them as the
seeds suggest. The seed facts are written out here (CI has no copy of the seeds)."""

from __future__ import annotations

import pytest

from rallypoynt.journeys.choices import Level
from rallypoynt.journeys.domain import (
    Blueprint,
    Phase,
    PhaseState,
    blueprint_default,
    blueprint_load,
    gate_blockers,
    journey_stages_check,
    shipped_data,
)

# Seed "End-to-End Client Journey Workflow", phase by phase, verbatim: the one-line description,
# "Workflow Steps" (title: bullets), "Key Deliverables", "Client Experience Considerations" and
# "Integration Points".
JOURNEY = [
    {
        "name": "Discovery & Engagement",
        "summary": "The initial contact and qualification phase where "
        "client needs are explored and the relationship begins.",
        "steps": {
            "Initial Inquiry Processing": [
                "Capture complete contact information",
                "Record inquiry source and initial needs",
                "Set up in CRM with appropriate status",
                "Schedule initial response",
            ],
            "Initial Response": [
                "Acknowledge inquiry within target timeframe (1 hour during business hours)",
                "Provide immediate value-add information",
                "Set expectations for next steps",
                "Schedule initial consultation",
            ],
            "Needs Discovery": [
                "Conduct comprehensive needs assessment",
                "Explore motivation, timeline, and constraints",
                "Document client preferences and requirements",
                "Assess financial readiness (buyers) or property condition (sellers)",
            ],
            "Relationship Establishment": [
                "Explain service approach and unique value",
                "Discuss working relationship expectations",
                "Address initial questions and concerns",
                "Establish communication preferences",
            ],
            "Client Onboarding": [
                "Create client profile in systems",
                "Provide client portal access and orientation",
                "Share educational resources relevant to needs",
                "Set expectations for journey ahead",
            ],
        },
        "deliverables": [
            "Completed needs assessment",
            "Client profile in CRM",
            "Communication plan",
            "Initial educational resources",
            "Client portal setup",
        ],
        "guidance": [
            "First impressions are critical and set expectations",
            "Responsiveness demonstrates professionalism and respect",
            "Educational focus establishes expertise and builds trust",
            "Personalization shows genuine interest in their unique needs",
            "Technology introduction should be helpful, not overwhelming",
        ],
        "integration": [
            "Sales Process: Aligns with Prospect Identification and Initial Engagement stages",
            "Systems: Triggers client record creation and initial workflow activation",
            "Training: Requires strong discovery and relationship-building skills",
        ],
    },
    {
        "name": "Strategy & Planning",
        "summary": "Developing a customized plan based on client needs and market conditions.",
        "steps": {
            "Situation Analysis": [
                "Review market conditions relevant to client needs",
                "Analyze comparable properties or buyer demographics",
                "Assess timing considerations and constraints",
                "Identify potential challenges and opportunities",
            ],
            "Strategy Development": [
                "Create tailored search strategy (buyers) or marketing plan (sellers)",
                "Develop pricing strategy and negotiation approach",
                "Identify resource requirements and timeline",
                "Plan for contingencies and alternatives",
            ],
            "Service Agreement": [
                "Present recommended approach and strategy",
                "Review service agreement terms and commitments",
                "Address questions and clarify expectations",
                "Secure formal agreement to proceed",
            ],
            "Resource Preparation": [
                "Prepare necessary resources and tools",
                "Schedule required services (photography, staging, etc. for sellers)",
                "Create client-specific materials and guides",
                "Configure systems and notifications",
            ],
            "Kickoff Meeting": [
                "Review and confirm strategy and approach",
                "Set detailed schedule and next steps",
                "Introduce team members and partners",
                "Activate client communication plan",
            ],
        },
        "deliverables": [
            "Documented strategy plan",
            "Signed service agreement",
            "Resource schedule",
            "Custom client materials",
            "Detailed action plan",
        ],
        "guidance": [
            "Strategy should be clearly explained in client-friendly terms",
            "Value of the approach should be explicitly connected to needs",
            "Agreement process should feel consultative, not transactional",
            "Client should feel prepared and confident about next steps",
            "Expectations should be realistic but positive",
        ],
        "integration": [
            "Sales Process: Aligns with Solution Development stage",
            "Systems: Activates property-specific workflows and tools",
            "Training: Requires market analysis and strategic planning skills",
        ],
    },
    {
        "name": "Search & Selection",
        "summary": "The active search process for buyers "
        "or property preparation and marketing for sellers.",
        "steps": {
            "Search Criteria Refinement": [
                "Configure property alerts and search parameters",
                "Prioritize must-have vs. nice-to-have features",
                "Establish feedback mechanism for listings",
                "Schedule initial property tours",
            ],
            "Property Previewing and Tours": [
                "Preview properties before client tours when possible",
                "Prepare tour packets with property details",
                "Conduct efficient, educational property tours",
                "Document feedback on each property",
            ],
            "Option Evaluation": [
                "Help evaluate properties against requirements",
                "Provide additional information on neighborhoods/properties",
                "Order additional inspections or assessments if needed",
                "Refine search criteria based on feedback",
            ],
            "Selection Support": [
                "Help narrow options to top contenders",
                "Provide comparative market analysis",
                "Discuss pros and cons of each option",
                "Support final selection decision",
            ],
            "Property Preparation": [
                "Conduct detailed property assessment",
                "Develop property enhancement plan",
                "Coordinate preparation services",
                "Monitor preparation progress",
            ],
            "Marketing Preparation": [
                "Schedule photography and media creation",
                "Develop property marketing description",
                "Create marketing materials and campaigns",
                "Prepare MLS and other listing data",
            ],
            "Active Marketing": [
                "Launch property marketing campaign",
                "Distribute listing to all channels",
                "Schedule and manage showings",
                "Collect and analyze showing feedback",
            ],
            "Offer Generation": [
                "Conduct broker and agent outreach",
                "Host broker/public open houses",
                "Follow up with interested parties",
                "Prepare for offer evaluation",
            ],
        },
        "deliverables": [
            "Buyer: Property tour reports, feedback records, selection analysis",
            "Seller: Property preparation plan, marketing assets, showing reports",
        ],
        "guidance": [
            "Process should feel organized but not rigid",
            "Communication frequency increases during this phase",
            "Feedback mechanisms should be simple and convenient",
            "Guidance should be available without being pushy",
            "Client should feel in control of decisions while supported",
        ],
        "integration": [
            "Sales Process: Bridges Solution Development and Presentation stages",
            "Systems: Leverages property databases, showing systems, and marketing tools",
            "Training: Requires strong property knowledge and evaluation skills",
        ],
    },
    {
        "name": "Transaction Initiation",
        "summary": "Moving from selection to formal "
        "transaction through offer, negotiation, and contract.",
        "steps": {
            "Transaction Preparation": [
                "Prepare offer strategy (buyers) or evaluation criteria (sellers)",
                "Gather necessary documentation",
                "Connect with financing partners if needed",
                "Brief client on process and timeline",
            ],
            "Offer/Counteroffer Cycle": [
                "Prepare and submit offers (buyers)",
                "Evaluate and respond to offers (sellers)",
                "Manage counteroffers and responses",
                "Track terms and changes through negotiation",
            ],
            "Agreement Finalization": [
                "Secure signatures on all required documents",
                "Collect initial deposits or earnest money",
                "Distribute contract to all parties",
                "Schedule contingency deadlines",
            ],
            "Transaction Team Assembly": [
                "Introduce transaction coordinator if applicable",
                "Connect client with inspector, title company, etc.",
                "Brief team members on transaction details",
                "Establish team communication plan",
            ],
            "Due Diligence Planning": [
                "Create due diligence schedule",
                "Order necessary inspections and reports",
                "Schedule appraisal and other required services",
                "Set up tracking system for contingencies",
            ],
        },
        "deliverables": [
            "Executed purchase agreement",
            "Transaction timeline",
            "Due diligence schedule",
            "Team contact list",
            "Contingency tracking system",
        ],
        "guidance": [
            "Negotiations can be emotional and require extra support",
            "Document complexity needs clear, step-by-step guidance",
            "Team introductions should be warm and confidence-building",
            "Timeline clarity helps reduce anxiety",
            "Setting proper expectations about potential challenges is crucial",
        ],
        "integration": [
            "Sales Process: Aligns with Presentation and Negotiation stage",
            "Systems: Activates transaction management workflow and tools",
            "Training: Requires negotiation and contract expertise",
        ],
    },
    {
        "name": "Transaction Management",
        "summary": "Managing the active transaction process from contract to closing preparation.",
        "steps": {
            "Due Diligence Execution": [
                "Coordinate property inspections",
                "Manage appraisal process",
                "Monitor financing progress (buyers)",
                "Track contingency deadlines",
                "Address title issues and property disclosures",
            ],
            "Contingency Resolution": [
                "Review inspection findings",
                "Negotiate repairs or credits",
                "Resolve appraisal issues if applicable",
                "Document contingency removals",
                "Amend contract as needed",
            ],
            "Progress Monitoring": [
                "Track all transaction milestones",
                "Conduct regular progress reviews",
                "Identify and address potential delays",
                "Update timeline as needed",
                "Confirm progress with all parties",
            ],
            "Problem Prevention and Resolution": [
                "Identify potential issues early",
                "Develop resolution strategies",
                "Facilitate communication between parties",
                "Document all issue resolutions",
                "Keep client informed of status",
            ],
            "Closing Preparation": [
                "Confirm closing requirements and details",
                "Order final inspections or walk-throughs",
                "Review closing disclosure/settlement statement",
                "Prepare client for closing process",
                "Coordinate logistics for closing day",
            ],
        },
        "deliverables": [
            "Inspection reports and response",
            "Contingency removal documentation",
            "Progress update reports",
            "Issue resolution log",
            "Pre-closing checklist",
        ],
        "guidance": [
            "Transaction management requires balance of detail and overview",
            "Regular updates prevent anxiety, even when nothing has changed",
            "Clients need education about technical processes",
            "Challenges should be presented with solution options",
            "Client should feel protected and advocated for",
        ],
        "integration": [
            "Sales Process: Bridges Negotiation and Agreement stages",
            "Systems: Heavy use of transaction management systems and tools",
            "Training: Requires problem-solving and project management skills",
        ],
    },
    {
        "name": "Closing & Transition",
        "summary": "Completing the transaction and transitioning the client to ownership.",
        "steps": {
            "Final Verification": [
                "Conduct final property walk-through",
                "Verify all contingencies have been satisfied",
                "Confirm funds are in place for closing",
                "Review final closing documents",
                "Ensure all parties are prepared for closing",
            ],
            "Closing Coordination": [
                "Confirm closing time and location",
                "Ensure all parties can attend or have alternates",
                "Verify document preparation is complete",
                "Coordinate key transfer plan",
                "Prepare client for closing day",
            ],
            "Closing Execution": [
                "Accompany client to closing when possible",
                "Review documents during signing",
                "Address last-minute questions or issues",
                "Facilitate communication between parties",
                "Verify transaction recording and funding",
            ],
            "Immediate Transition": [
                "Facilitate property access and key transfer",
                "Provide property operation information",
                "Coordinate move-in/move-out timing",
                "Address immediate post-closing needs",
                "Conduct initial follow-up",
            ],
            "Closing Wrap-Up": [
                "Deliver closing gift",
                "Send thank-you and congratulations",
                "Provide closing documentation package",
                "Update client record with transaction details",
                "Initiate relationship management plan",
            ],
        },
        "deliverables": [
            "Final walk-through report",
            "Closing coordination checklist",
            "Signed closing documents",
            "Property information package",
            "Transaction summary record",
        ],
        "guidance": [
            "Closing can be both exciting and stressful for clients",
            "Document review should be thorough but not overwhelming",
            "Celebration of the milestone is important",
            "Immediate post-closing support shows commitment",
            "Transition guidance demonstrates continued value",
        ],
        "integration": [
            "Sales Process: Completes Agreement and Activation stage",
            "Systems: Updates client records and activates post-transaction workflows",
            "Training: Requires closing procedure expertise and attention to detail",
        ],
    },
    {
        "name": "Ongoing Relationship",
        "summary": "Maintaining and deepening the "
        "client relationship after transaction completion.",
        "steps": {
            "Post-Transaction Support": [
                "Address immediate post-transaction questions",
                "Provide referrals for needed services",
                "Check in at key intervals (1 week, 1 month)",
                "Assist with any property issues or questions",
                "Support transition to new home/lifestyle",
            ],
            "Value-Add Communications": [
                "Implement relevant content delivery plan",
                "Share personalized market updates",
                "Provide regular property value assessments",
                "Send seasonal maintenance reminders",
                "Share relevant community information",
            ],
            "Client Care Program": [
                "Implement client appreciation activities",
                "Recognize special occasions and milestones",
                "Invite to client events and educational sessions",
                "Conduct periodic relationship review calls",
                "Maintain relationship through personal touches",
            ],
            "Referral Cultivation": [
                "Request reviews and testimonials",
                "Implement referral request program",
                "Acknowledge and reward referrals",
                "Create referral generation opportunities",
                "Maintain referral source records",
            ],
            "Repeat Business Development": [
                "Maintain awareness of changing needs",
                "Provide investment opportunity information",
                "Conduct annual real estate reviews",
                "Address future plans and goals",
                "Position for next transaction",
            ],
        },
        "deliverables": [
            "Client care calendar",
            "Content delivery schedule",
            "Property value updates",
            "Testimonials and reviews",
            "Relationship contact log",
        ],
        "guidance": [
            "Relationship should transition naturally from transaction to long-term",
            "Communication should be valuable, not just promotional",
            "Client should feel appreciated, not just as a referral source",
            "Support should continue without being intrusive",
            "Relationship should grow beyond initial transaction focus",
        ],
        "integration": [
            "Sales Process: Aligns with Relationship Management stage",
            "Systems: Leverages CRM and marketing automation tools",
            "Training: Requires relationship management and value-add skills",
        ],
    },
]

# Search & Selection: "Workflow Steps for Buyers" and "Workflow Steps for Sellers".
SEARCH_STEPS = {
    "buy": [
        "Search Criteria Refinement",
        "Property Previewing and Tours",
        "Option Evaluation",
        "Selection Support",
    ],
    "sell": [
        "Property Preparation",
        "Marketing Preparation",
        "Active Marketing",
        "Offer Generation",
    ],
}

# The sales stages each phase's "Sales Process" integration point names.
PHASE_STAGES = {
    "Discovery & Engagement": ["Prospect Identification", "Initial Engagement"],
    "Strategy & Planning": ["Solution Development"],
    "Search & Selection": ["Solution Development", "Presentation and Negotiation"],
    "Transaction Initiation": ["Presentation and Negotiation"],
    "Transaction Management": ["Presentation and Negotiation", "Agreement and Activation"],
    "Closing & Transition": ["Agreement and Activation"],
    "Ongoing Relationship": ["Relationship Management"],
}

# Seed "RallyPoynt OS Sales Process Framework": each stage with its description, key activities,
# milestones and its row of the "Process Effectiveness Metrics" table.
PIPELINE = [
    {
        "name": "Prospect Identification",
        "summary": "The process of identifying and qualifying potential clients based on defined "
        "criteria and market analysis.",
        "activities": [
            "Market segmentation and targeting",
            "Prospect research and qualification",
            "Lead source management and optimization",
            "Initial value proposition development",
        ],
        "milestones": [
            "Qualified prospect list established",
            "Initial market segment analysis completed",
            "Lead generation channels activated",
        ],
        "frequency": "Monthly",
        "metrics": {
            "Lead Quality Score": "7-9/10",
            "Target Market Penetration": "15-20%",
            "Cost per Qualified Lead": "$25-75",
        },
    },
    {
        "name": "Initial Engagement",
        "summary": "The process of establishing first contact and building initial rapport with "
        "qualified prospects.",
        "activities": [
            "Initial outreach and communication",
            "Value proposition presentation",
            "Needs assessment and discovery",
            "Rapport and relationship building",
        ],
        "milestones": [
            "First meaningful interaction completed",
            "Basic needs assessment documented",
            "Follow-up plan established",
        ],
        "frequency": "Weekly",
        "metrics": {
            "Contact Rate": "70-80%",
            "Meeting Conversion": "30-40%",
            "Discovery Completion": "90%+",
        },
    },
    {
        "name": "Solution Development",
        "summary": "The process of creating and refining a tailored solution based on client "
        "needs and preferences.",
        "activities": [
            "Comprehensive needs analysis",
            "Solution customization",
            "Pricing and proposal development",
            "Competitive positioning",
        ],
        "milestones": [
            "Detailed needs analysis completed",
            "Tailored solution developed",
            "Formal proposal prepared",
        ],
        "frequency": "Per Client",
        "metrics": {
            "Needs Analysis Completion": "95%+",
            "Proposal Acceptance": "60-70%",
            "Solution Development Time": "1-3 days",
        },
    },
    {
        "name": "Presentation and Negotiation",
        "summary": "The process of presenting solutions, addressing concerns, and negotiating "
        "terms.",
        "activities": [
            "Solution presentation",
            "Objection handling",
            "Value reinforcement",
            "Terms negotiation",
        ],
        "milestones": [
            "Formal presentation delivered",
            "Key objections addressed",
            "Agreement on general terms",
        ],
        "frequency": "Per Client",
        "metrics": {
            "Presentation Completion": "90%+",
            "Objection Resolution": "80-90%",
            "Negotiation Success": "70-80%",
        },
    },
    {
        "name": "Agreement and Activation",
        "summary": "The process of finalizing agreements and initiating service delivery.",
        "activities": [
            "Contract finalization",
            "Documentation and compliance",
            "Transition to operations/fulfillment",
            "Initial client onboarding",
        ],
        "milestones": [
            "Signed agreement secured",
            "Complete documentation package assembled",
            "Successful handoff to operations/fulfillment team",
        ],
        "frequency": "Per Client",
        "metrics": {
            "Contract Closure": "80-90%",
            "Documentation Accuracy": "98%+",
            "Handoff Satisfaction": "4.5+/5",
        },
    },
    {
        "name": "Relationship Management",
        "summary": "The process of maintaining and growing client relationships post-transaction.",
        "activities": [
            "Client satisfaction monitoring",
            "Regular relationship maintenance",
            "Expansion and referral development",
            "Long-term value delivery",
        ],
        "milestones": [
            "Post-transaction review completed",
            "Ongoing communication plan established",
            "Referral and repeat business opportunities identified",
        ],
        "frequency": "Quarterly",
        "metrics": {
            "Client Satisfaction": "4.5+/5",
            "Referral Generation": "2+ per client",
            "Repeat Transaction": "70%+",
        },
    },
]

# "Process Efficiency Metrics": metric, description, target range, level.
EFFICIENCY = [
    ("Cycle Time", "Total days from initial prospect to closed agreement", "30-45 days", "All"),
    (
        "Conversion Rate",
        "Percentage of qualified prospects that become clients",
        "25-35%",
        "All",
    ),
    (
        "Cost per Acquisition",
        "Total sales cost divided by number of new clients",
        "Varies by market",
        "All",
    ),
    (
        "Sales Velocity",
        "Value of pipeline \u00d7 win rate \u00f7 sales cycle length",
        "Improvement trend",
        "Team/Brokerage",
    ),
    (
        "Resource Utilization",
        "Percentage of available sales time spent on qualified opportunities",
        "70-80%",
        "Team/Brokerage",
    ),
]

INTEGRATION_KEYS = {"Sales Process": "sales_process", "Systems": "systems", "Training": "training"}
PHASE_IDS = [p["name"] for p in JOURNEY]
STAGE_IDS = [s["name"] for s in PIPELINE]


@pytest.fixture(scope="module")
def journey() -> Blueprint:
    return blueprint_default("client_journey")


@pytest.fixture(scope="module")
def pipeline() -> Blueprint:
    return blueprint_default("sales_pipeline")


def level_journey(level: str) -> Blueprint:
    return blueprint_load(shipped_data("journey", level))


def level_pipeline(level: str) -> Blueprint:
    return blueprint_load(shipped_data("pipeline", level))


def seed_deliverables(seed: dict) -> dict[str, list[str]]:
    """Deliverable names per side: 'Buyer: a, b' lines split by side, else the same for both."""
    lines = seed["deliverables"]
    if not lines[0].startswith("Buyer:"):
        return {"buy": lines, "sell": lines}
    by_side = {}
    for line, side in zip(lines, ("buy", "sell"), strict=True):
        by_side[side] = [name.strip() for name in line.split(":", 1)[1].split(",")]
    return by_side


def lowered(names) -> list[str]:
    return [name.lower() for name in names]


# The client journey


def test_the_journey_has_the_seven_phases_of_the_seed_in_order(journey):
    assert [p.name for p in journey.phases] == PHASE_IDS
    assert journey.sides == {"buy", "sell"}


@pytest.mark.parametrize("index", range(len(JOURNEY)), ids=PHASE_IDS)
def test_each_phase_is_described_by_the_seed_sentence(journey, index):
    assert journey.phases[index].summary == JOURNEY[index]["summary"]


@pytest.mark.parametrize("index", range(len(JOURNEY)), ids=PHASE_IDS)
def test_every_step_title_and_checklist_bullet_matches_the_seed(journey, index):
    phase = journey.phases[index]
    assert {s.title: list(s.checklist) for s in phase.steps} == JOURNEY[index]["steps"]
    assert [s.title for s in phase.steps] == list(JOURNEY[index]["steps"])


def test_search_and_selection_has_buyer_steps_for_buyers_and_seller_steps_for_sellers(journey):
    phase = journey.phase("search_selection")
    for side, titles in SEARCH_STEPS.items():
        assert [s.title for s in phase.steps_for(side)] == titles


def test_every_other_phase_runs_the_same_steps_for_buyers_and_sellers(journey):
    for phase in journey.phases:
        if phase.key != "search_selection":
            assert phase.steps_for("buy") == phase.steps_for("sell") == phase.steps


@pytest.mark.parametrize("index", range(len(JOURNEY)), ids=PHASE_IDS)
def test_every_deliverable_of_the_seed_is_in_its_phase_on_its_side(journey, index):
    phase = journey.phases[index]
    for side, names in seed_deliverables(JOURNEY[index]).items():
        assert lowered(d.name for d in phase.deliverables_for(side)) == lowered(names)


@pytest.mark.parametrize("index", range(len(JOURNEY)), ids=PHASE_IDS)
def test_every_deliverable_is_produced_by_a_step_on_each_side_it_belongs_to(journey, index):
    phase = journey.phases[index]
    for side in ("buy", "sell"):
        produced = {key for s in phase.steps_for(side) for key in s.produces}
        assert {d.key for d in phase.deliverables_for(side)} <= produced


@pytest.mark.parametrize("index", range(len(JOURNEY)), ids=PHASE_IDS)
def test_each_phase_guidance_is_the_seed_client_experience_considerations(journey, index):
    assert list(journey.phases[index].guidance) == JOURNEY[index]["guidance"]


@pytest.mark.parametrize("index", range(len(JOURNEY)), ids=PHASE_IDS)
def test_each_phase_integration_points_are_the_seed_lines(journey, index):
    integration = journey.phases[index].integration
    expected = {}
    for line in JOURNEY[index]["integration"]:
        label, text = line.split(": ", 1)
        expected[INTEGRATION_KEYS[label]] = text
    assert dict(integration) == expected


@pytest.mark.parametrize("index", range(len(JOURNEY)), ids=PHASE_IDS)
def test_each_phase_belongs_to_the_sales_stages_its_integration_point_names(
    journey, pipeline, index
):
    phase = journey.phases[index]
    assert [pipeline.stage(key).name for key in phase.sales_stages] == PHASE_STAGES[phase.name]


def test_every_phase_but_the_last_has_a_gate_on_its_required_steps_and_deliverables(journey):
    *gated, last = journey.phases
    assert all(p.gate and p.gate.steps == p.gate.deliverables == "required" for p in gated)
    assert all(p.gate.approval_role is None for p in gated)
    assert last.gate is None


# The sales pipeline


def test_the_pipeline_has_the_six_stages_of_the_seed_in_order(pipeline):
    assert [s.name for s in pipeline.stages] == STAGE_IDS


@pytest.mark.parametrize("index", range(len(PIPELINE)), ids=STAGE_IDS)
def test_each_stage_has_the_seed_activities_and_milestones(pipeline, index):
    stage, seed = pipeline.stages[index], PIPELINE[index]
    assert stage.summary == seed["summary"]
    assert list(stage.activities) == seed["activities"]
    assert list(stage.milestones) == seed["milestones"]


@pytest.mark.parametrize("index", range(len(PIPELINE)), ids=STAGE_IDS)
def test_each_stage_has_the_seed_metric_targets_and_frequency(pipeline, index):
    stage, seed = pipeline.stages[index], PIPELINE[index]
    assert {m.name: m.target for m in stage.metrics} == seed["metrics"]
    assert [m.name for m in stage.metrics] == list(seed["metrics"])
    assert stage.frequency == seed["frequency"]


def test_the_efficiency_metrics_are_the_seed_table(pipeline):
    found = [(m.name, m.description, m.target, m.level) for m in pipeline.efficiency_metrics]
    assert found == EFFICIENCY


# Business levels


def test_the_agent_level_merges_prospect_identification_and_initial_engagement():
    stages = level_pipeline(Level.AGENT).stages
    assert [s.name for s in stages] == [
        "Prospect Identification & Initial Engagement",
        *STAGE_IDS[2:],
    ]
    merged = stages[0]
    assert list(merged.activities) == PIPELINE[0]["activities"] + PIPELINE[1]["activities"]
    assert list(merged.milestones) == PIPELINE[0]["milestones"] + PIPELINE[1]["milestones"]
    assert {m.name for m in merged.metrics} == {*PIPELINE[0]["metrics"], *PIPELINE[1]["metrics"]}


def test_the_agent_level_starts_the_journey_in_the_merged_stage():
    discovery = level_journey(Level.AGENT).phase("discovery")
    assert discovery.sales_stages == ("prospecting_engagement",)


def test_the_agent_level_makes_deliverables_optional_and_gives_every_step_to_the_agent():
    journey = level_journey(Level.AGENT)
    for phase in journey.phases:
        assert phase.deliverables and not any(d.is_required for d in phase.deliverables)
        for step in phase.steps:
            assert {step.role_for(side) for side in step.sides} == {"agent"}, step.key


def test_the_agent_level_can_leave_a_phase_without_its_deliverables_on_file():
    discovery = level_journey(Level.AGENT).phase("discovery")
    done = dict.fromkeys((s.key for s in discovery.steps), None)
    state = PhaseState(side="buy", phase_key="discovery", entered_at=None, completed=done)
    assert gate_blockers(discovery, state) == ()


def test_the_team_level_has_a_specialist_role_on_every_step_and_a_handoff_checklist():
    journey = level_journey(Level.TEAM)
    for phase in journey.phases:
        for step in phase.steps:
            roles = {step.role_for(side) for side in step.sides}
            assert set(step.roles) == set(step.sides), step.key
            assert roles and "agent" not in roles, step.key
    assert len(journey.handoff_checklist) >= 3


def test_the_team_level_pipeline_keeps_the_six_stages():
    assert [s.name for s in level_pipeline(Level.TEAM).stages] == STAGE_IDS


def test_the_brokerage_level_gates_contract_and_closing_on_compliance_approval():
    journey = level_journey(Level.BROKERAGE)
    approvals = {p.key: p.gate.approval_role for p in journey.phases if p.gate}
    assert {key for key, role in approvals.items() if role} == {
        "transaction_initiation",
        "closing_transition",
    }
    assert approvals["transaction_initiation"] == "compliance_officer"
    assert approvals["closing_transition"] == "compliance_officer"
    assert journey.handoff_checklist


@pytest.mark.parametrize("level", Level.values)
def test_every_level_loads_and_names_only_stages_of_its_own_pipeline(level):
    journey_stages_check(level_journey(level), level_pipeline(level))


@pytest.mark.parametrize("level", Level.values)
def test_no_level_changes_the_seed_steps_checklists_or_guidance(level, journey):
    def content(blueprint: Blueprint) -> list:
        return [(p.name, p.guidance, phase_steps(p)) for p in blueprint.phases]

    assert content(level_journey(level)) == content(journey)


def phase_steps(phase: Phase) -> list:
    return [(s.key, s.title, s.checklist, s.sides) for s in phase.steps]
