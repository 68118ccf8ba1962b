"""Write ``corpus/link/glossary.toml``: Chinese statute words and the English words their
unofficial translations use, aligned article by article (no commentary is read).

For every translated article, the Chinese words (jieba, ``kb.link.passages.zh_words``) and
the English content words (``kb.link.passages.stems``: Snowball English; the file now
in the corpus was written with Porter stems, kept with their commonest spelling) are sets; a
pair (Chinese word, English stem) is scored by the Dice coefficient of the articles they
occur in, ``2 * both / (zh + en)``. A Chinese word keeps its best English stems (Dice at
least ``--min-dice`` and within 0.1 of its best, found together in at least ``--min-articles``
articles); every entry names example articles where both occur.

Usage: python scripts/build_glossary.py [--min-dice 0.5] [--min-articles 3]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path

from kb.annotate.translations import load_translations
from kb.ingest.manifest import load_manifest
from kb.ingest.sources import read_source
from kb.ingest.statute import parse_statute
from kb.link.passages.similarity import stems, zh_words
from kb.settings import get_settings

OUT = Path(__file__).resolve().parent.parent / "corpus" / "link" / "glossary.toml"
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--min-dice", type=float, default=0.5)
    ap.add_argument("--min-articles", type=int, default=3)
    args = ap.parse_args()
    settings = get_settings()
    english = {t.provision_id: t.text_en for t in load_translations(settings.corpus_dir)}
    zh_sets: dict[str, set[str]] = {}
    en_sets: dict[str, set[str]] = {}
    spelling: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in load_manifest():
        if not doc.text_available or doc.is_commentary:
            continue
        texts = [read_source(settings.source_root, s.path) for s in doc.sources]
        for prov in parse_statute(doc, texts).provisions:
            en = english.get(prov.id)
            if prov.level != "article" or not en:
                continue
            zh_sets[prov.id] = set(zh_words(prov.text))
            en_sets[prov.id] = set(stems(en))
            for word in _WORD.findall(en):
                for s in stems(word):
                    spelling[s][word.lower()] += 1
    zh_df: Counter[str] = Counter()
    en_df: Counter[str] = Counter()
    both: dict[tuple[str, str], list[str]] = defaultdict(list)
    for art, zs in zh_sets.items():
        zh_df.update(zs)
        en_df.update(en_sets[art])
        for z in zs:
            for e in en_sets[art]:
                both[(z, e)].append(art)
    best: dict[str, list[tuple[float, str, list[str]]]] = defaultdict(list)
    for (z, e), arts in both.items():
        if len(arts) < args.min_articles:
            continue
        dice = 2 * len(arts) / (zh_df[z] + en_df[e])
        if dice >= args.min_dice:
            best[z].append((dice, e, arts))
    lines = [
        "# Bilingual glossary for kb.link.passages: a Chinese statute word and the English words",
        "# the unofficial translations render it with, aligned article by article (Dice over the",
        "# articles both occur in). Written by scripts/build_glossary.py from the statutes and",
        "# corpus/translations only; do not edit by hand, rerun the script.",
        "#   zh        the Chinese word (jieba, search mode)",
        "#   en        English words (the commonest spelling of each Porter stem)",
        "#   dice      the pair's Dice coefficient over translated articles",
        "#   examples  articles where both are found",
        "",
        "version = 1",
    ]
    n = 0
    for z in sorted(best):
        rows = sorted(best[z], key=lambda r: (-r[0], r[1]))
        top = rows[0][0]
        keep = [r for r in rows if r[0] >= top - 0.1][:3]
        words = [spelling[e].most_common(1)[0][0] if spelling[e] else e for _, e, _ in keep]
        examples = sorted({a for _, _, arts in keep for a in arts[:2]})[:3]
        lines += [
            "",
            "[[term]]",
            f'zh = "{z}"',
            "en = [" + ", ".join(f'"{w}"' for w in words) + "]",
            f"dice = {round(top, 3)}",
            "examples = [" + ", ".join(f'"{a}"' for a in examples) + "]",
        ]
        n += 1
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{n} terms from {len(zh_sets)} translated articles -> {OUT}")


if __name__ == "__main__":
    main()
