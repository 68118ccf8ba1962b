"""Which provisions a commentary passage discusses: ``discusses`` and ``mentions`` links.

A passage is linked to a provision on the evidence of these signals:

1. **citations** — a resolved pinpoint citation in the passage (``Article 13 of the
   PIPL``) links to exactly the cited provision (article, paragraph or item);
2. **document context** — which documents the passage names (document-level
   citations, already version-resolved by the citing date) or, failing that, which
   documents its commentary ``discusses`` (manifest) that existed at its date;
3. **terms** — legal concepts (``corpus/link/concepts.toml``: *separate consent*, *under
   the age of 14*, *sole means of verification* …) found in the passage and in the
   provision's Chinese text or English translation, weighted by rarity. Each concept has
   a tier: a *specific* one can anchor a link, a *generic* one (*consent*, *national
   security*) only adds to one, a *background* one (*personal information*) barely counts;
4. **similarity** and **topics** — TF-IDF cosine of stemmed words between the passage
   and the provision's English translation, and shared topic tags;
5. **focus** — when another article explains the same concepts better (higher evidence,
   overlapping anchors), this one is a neighbour, not the provision paraphrased.

Candidates are the articles of the documents in context (2) and of any other document
in force at the commentary's date (further away, with a lower prior); that is how a
passage about a draft whose text is absent (the 2023 CAC facial-recognition draft)
reaches the in-force provisions that already say the same thing. Such a passage also
gets a ``mentions`` link to the absent document, found by citation or, for "the draft" /
"the new rules", by carrying over the absent document last named in the same section
(or the one the commentary is about, when its manifest entry discusses only that one).

**Scores are probabilities built from log-odds.** Every signal adds log-odds (a context
prior, terms, similarity, topics, a penalty without a specific anchor, a focus penalty)
and the score is their logistic: ``score = 1 / (1 + exp(-logit))``, so 0.5 means "as
likely as not" and the evidence shows what each signal contributed. Links below
:attr:`LinkConfig.min_score` (0.5) are not emitted. On the labelled commentary set the
emitted links were the provision the passage discusses about 6 times in 10 and a
closely related one (a neighbouring article, the same point in a proposal) the other
times; none was unrelated. Higher scores are only slightly more often exactly right
(see tests/test_links.py for the figures): the score separates related from unrelated
provisions better than it separates the one paraphrased from its neighbours. An
explicit resolved citation scores 1.0.

A document named before it was adopted (a law still being drafted) has no articles to
discuss yet; a superseded version is not "in force" after its successor took effect.
Headings and newsletter side items (``part == "newsletter-items"``) get provision links
only from explicit citations. At most :attr:`LinkConfig.max_links` links per passage.

Every inferred link carries its evidence, e.g.::

    {"context": "mentioned", "doc_mention": "pipl-2021",
     "mention_text": "Personal Information Protection Law",
     "terms": ["encryption", "security measures", "personal information"],
     "anchors": ["encryption"], "implied": {},
     "phrases": ["encrypted", "physical isolation", "Data Security", "Personal Information"],
     "term_strength": 1.28, "similarity": 0.1238, "shared_topics": ["retention-security"],
     "translated": true,
     "signals": {"prior": -1.0, "terms": 2.55, "similarity": 0.99, "topics": 0.3,
                 "no_anchor": 0.0, "focus": -0.36},
     "logit": 2.48}

``signals`` are the log-odds each signal contributed (they sum to ``logit``);
``implied`` maps a concept the passage implies to the narrower one it names (biometric
data -> sensitive personal information); ``outranked_by`` names the article of the same
document that explains this one's concepts better.
A citation link's evidence is ``{"citation": "Article 13 of the PIPL", "status": "resolved"}``.
"""

from __future__ import annotations

from kb.link.passages.concepts import (
    CONCEPTS_PATH,
    Concept,
    ConceptSet,
    Tier,
    concepts_in,
    load_concepts,
    parse_concepts,
)
from kb.link.passages.index import ProvisionIndex
from kb.link.passages.linker import LinkConfig, PassageLinker, in_force_at, link_passages
from kb.link.passages.similarity import stems

__all__ = [
    "CONCEPTS_PATH",
    "Concept",
    "ConceptSet",
    "LinkConfig",
    "PassageLinker",
    "ProvisionIndex",
    "Tier",
    "concepts_in",
    "in_force_at",
    "link_passages",
    "load_concepts",
    "parse_concepts",
    "stems",
]
