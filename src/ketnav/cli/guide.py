"""``ketnav guide [SLUG]``: the guide topics, or one topic as plain text with its sources."""

from __future__ import annotations

import argparse
import json
import shlex
import textwrap


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "slug",
        nargs="?",
        default="",
        help="a topic, e.g. background or safety, or references for every source; omit to list them",
    )
    parser.add_argument("--json", action="store_true", help="print the topic (or the list) as JSON")
    parser.add_argument("--width", type=int, default=88, help="wrap text at this many columns (default 88)")


def _wrap(text: str, width: int) -> str:
    out = []
    for para in text.split("\n"):
        indent = "  " if para.startswith("- ") else ""
        out.append(textwrap.fill(para, width=width, subsequent_indent=indent) if para.strip() else "")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    from ketnav.cli import django_setup

    django_setup.setup()
    django_setup.migrate()
    from ketnav.guide.knowledge import knowledge
    from ketnav.guide.registry import registry_counts
    from ketnav.guide.render import to_text
    from ketnav.guide.selectors import topic_or_404
    from ketnav.guide.serialize import topic_dict, topic_summary

    kb = knowledge()
    if args.slug == "references":
        return _references(args)
    if not args.slug:
        rows = [topic_summary(t, topic_or_404(t.slug)) for t in kb.topics]
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
            return 0
        print("Understanding ketamine for anxiety: the guide (educational; not medical advice)\n")
        for row in rows:
            print(f"{row['order']}. {row['slug']:<13} {row['title']}  [grade {row['reading_grade']}]")
        print("\nRead one with: ketnav guide SLUG; every source with: ketnav guide references")
        return 0
    page = topic_or_404(args.slug)
    counts = registry_counts([kb.registry[k] for k in page.registry_keys])
    if args.json:
        print(json.dumps(topic_dict(page, counts), indent=2, ensure_ascii=False))
        return 0
    topic = page.topic
    print(topic.title.upper())
    print(f"Last reviewed {topic.last_reviewed:%d %B %Y} · reading grade {page.readability.grade:.1f}\n")
    print(_wrap(to_text(topic.intro, kb, citations=True, tables=True), args.width))
    for section in topic.sections:
        print(f"\n## {section.title}\n")
        print(_wrap(to_text(section.markdown, kb, citations=True, tables=True), args.width))
    if counts:
        print("\n## Open studies in your local registry\n")
        for c in counts:
            if c.open_studies is None:
                print(f"- {c.topic.label}: the registry is empty; load it with `ketnav sync` or `ketnav load FILE`")
            else:
                print(
                    f"- {c.open_studies:,} open studies of {c.topic.label}: ketnav search {shlex.quote(c.topic.query)}"
                )
    print("\n## Sources\n")
    for ref in page.references:
        print(_wrap(f"- {ref.citation()} {ref.link}", args.width))
    print("\nEducational only; not medical advice. Talk to a qualified clinician.")
    return 0


def _references(args: argparse.Namespace) -> int:
    """Every source cited in the guide and the tools, as the references page lists them."""
    from ketnav.citations.bibliography import reference_dict
    from ketnav.guide.selectors import references

    uses = references()
    if args.json:
        rows = [
            {**reference_dict(u.reference), "topics": [t.slug for t in u.topics], "cited_by_tools": u.elsewhere}
            for u in uses
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    print("REFERENCES")
    print(f"{len(uses):,} sources cited in the guide and the treatment tools\n")
    for number, use in enumerate(uses, start=1):
        ref = use.reference
        where = [t.title for t in use.topics] + (["the treatment tools"] if use.elsewhere else [])
        lines = [f"{ref.citation()} {ref.link}"]
        lines += [f"Cited in: {'; '.join(where)}"] if where else []
        lines += [f"Note: {ref.note}"] if ref.note else []
        label = f"{number}. "
        for i, line in enumerate(lines):
            first = label if i == 0 else " " * len(label)
            print(
                textwrap.fill(
                    line,
                    width=args.width,
                    initial_indent=first,
                    subsequent_indent=" " * len(label),
                    break_long_words=False,  # a link cut in two cannot be followed
                    break_on_hyphens=False,
                )
            )
    return 0
