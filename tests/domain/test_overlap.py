"""The overlap rules: same vendor (case and spaces ignored), or same purpose with titles alike; retired never."""

from __future__ import annotations

from labreview.domain.overlap import (
    SAME_PURPOSE,
    SAME_VENDOR,
    Tool,
    candidates_of,
    find_overlaps,
    overlaps_of,
    title_words,
    titles_alike,
    vendor_key,
)


def tool(key, title="Something", *, stage="factory", category="efficiency", vendor="", metric=None):
    return Tool(key, title, stage, category, vendor, metric)


def test_vendor_is_compared_without_case_or_spaces_and_placeholders_name_no_vendor():
    assert vendor_key("Quillmark AI") == vendor_key(" quillmark  ai ") == vendor_key("QuillmarkAI") == "quillmarkai"
    assert vendor_key("Quillmark AI") != vendor_key("Quillmark")
    for nobody in ("", "   ", "in-house", "In House", "none", "N/A", "-", "tbd", "internal"):
        assert vendor_key(nobody) == "", nobody


def test_same_vendor_pairs_every_live_holder_both_ways():
    found = find_overlaps(
        [
            tool("FAC-010", "Copy assistant", vendor="Quillmark AI"),
            tool("EXP-101", "Subject lines", stage="lab", vendor="quillmark ai"),
            tool("FAC-002", "CDP", vendor="Segmentry"),
            tool("FAC-099", "Old copy tool", stage="retired", vendor="Quillmark AI"),
            tool("FAC-100", "Internal thing", vendor="in-house"),
            tool("FAC-101", "Other internal thing", vendor="In-House"),
        ]
    )
    assert set(found) == {"EXP-101", "FAC-010"}
    (overlap,) = found["FAC-010"]
    assert (overlap.other, overlap.rule, overlap.vendor) == ("EXP-101", SAME_VENDOR, "Quillmark AI")
    assert overlap.line == "overlaps EXP-101 (same vendor Quillmark AI)"
    assert found["EXP-101"][0].line == "overlaps FAC-010 (same vendor quillmark ai)"  # as each spells it


def test_same_purpose_needs_category_metric_and_alike_titles():
    tools = [
        tool("A-1", "Social media scheduler", metric="efficiency"),
        tool("A-2", "Social scheduler", metric="efficiency"),  # 2 of 3 words shared
        tool("A-3", "Social schedulers", metric="quality-improvement"),  # another metric
        tool("A-4", "Social scheduler", category="capability", metric="efficiency"),  # another category
        tool("A-5", "Social scheduler", metric=None),  # no metric: no purpose to share
        tool("A-6", "Payroll export", metric="efficiency"),
        tool("A-7", "Media buying", metric="efficiency"),  # 1 of 4 words shared with A-1
    ]
    found = find_overlaps(tools)
    assert set(found) == {"A-1", "A-2"}
    (overlap,) = found["A-1"]
    assert overlap.rule == SAME_PURPOSE and overlap.other == "A-2" and (overlap.shared, overlap.words) == (2, 3)
    assert overlap.line == "overlaps A-2 (same category and success metric, titles share 2 of 3 words)"


def test_titles_alike_by_half_their_words():
    assert title_words("Chatbots for the CRM") == {"chatbot", "for", "the", "crm"}
    assert titles_alike("Churn model", "Churn model v2") == (2, 3)
    assert titles_alike("Email service provider", "Email sending service") == (2, 4)
    assert titles_alike("Customer data platform", "CDP audience rebuild") is None
    assert titles_alike("Lead scoring", "Lead routing for SMS") is None  # 1 of 5
    assert titles_alike("", "") is None


def test_a_pair_found_by_both_rules_is_listed_once_per_rule_and_candidates_once():
    found = find_overlaps(
        [
            tool("F-1", "Email sender", vendor="PostRelay", metric="efficiency"),
            tool("F-2", "Email sender v2", vendor="Post Relay", metric="efficiency"),
        ]
    )
    assert [o.rule for o in found["F-1"]] == [SAME_VENDOR, SAME_PURPOSE]
    assert candidates_of(found, "F-1") == ("F-2",)
    assert candidates_of(found, "F-3") == ()


def test_a_crowd_is_listed_nearest_first_and_counted():
    tools = [tool(f"V-{n:03}", f"Tool {n}", vendor="Bigvendor") for n in range(40)]
    found = find_overlaps(tools)
    assert len(found) == 40
    listed = found["V-020"]
    assert [o.other for o in listed] == ["V-017", "V-018", "V-019", "V-021", "V-022"]  # ties: the lower key
    assert [o.more for o in listed] == [0, 0, 0, 0, 34]
    assert listed[-1].line.endswith("(same vendor Bigvendor; and 34 more)")
    assert [o.other for o in found["V-000"]] == ["V-001", "V-002", "V-003", "V-004", "V-005"]


def test_a_large_portfolio_is_not_compared_pair_by_pair():
    import time

    words = [f"w{n}" for n in range(60)]
    tools = [
        tool(f"T-{n:05}", f"{words[n % 60]} {words[(n * 7) % 60]} {words[(n * 13) % 60]}", metric="efficiency",
             vendor=f"vendor {n % 50}")
        for n in range(20_000)
    ]  # fmt: skip
    started = time.perf_counter()
    found = find_overlaps(tools)
    assert time.perf_counter() - started < 20  # seconds on a slow shared machine; about 2 s here
    assert all(len([o for o in overlaps if o.rule == SAME_VENDOR]) == 5 for overlaps in found.values())


def test_the_result_does_not_depend_on_the_order_of_the_rows():
    tools = [
        tool("K-3", "Lead scoring", vendor="Orbital", metric="conversion-rate"),
        tool("K-1", "Lead scoring model", vendor="Orbital", metric="conversion-rate"),
        tool("K-2", "Lead scoring engine", vendor="x", metric="conversion-rate"),
    ]
    assert find_overlaps(tools) == find_overlaps(list(reversed(tools)))
    assert [o.other for o in find_overlaps(tools)["K-1"]] == ["K-2", "K-3", "K-3"]


def test_hostile_titles_and_vendors_do_not_break_the_rules():
    from tests.hostile import sample

    texts = sample(every=7)
    tools = [tool(f"H-{n}", text, vendor=text, metric="efficiency") for n, text in enumerate(texts)]
    found = find_overlaps(tools)
    for key, overlaps in found.items():
        for overlap in overlaps:
            assert overlap.key == key and overlap.other != key and overlap.line.startswith("overlaps ")


def test_one_initiatives_overlaps_are_those_of_the_whole_portfolio():
    words = ["lead", "routing", "scoring", "email", "sms", "price", "alerts", "for", "web", "app"]
    tools = [
        tool(f"K-{n:03}", " ".join(words[(n * k) % 10] for k in (1, 3, 7)), vendor=f"v{n % 6}" if n % 4 else "",
             metric=("efficiency", "revenue-lift")[n % 2], stage="retired" if n % 9 == 0 else "factory")
        for n in range(120)
    ]  # fmt: skip
    found = find_overlaps(tools)
    assert found
    for t in tools:
        assert overlaps_of(tools, t.key) == found.get(t.key, ()), t.key
    assert overlaps_of(tools, "NOPE") == ()
