"""Which provisions a commentary passage discusses: ``discusses`` and ``mentions`` links.

**Claims, not paragraphs.** Each sentence of a passage (``Passage.sentences``) is linked on
its own and every link's evidence names its sentence (``"sentence": [start, end]`` into the
passage text); a passage's links are the union (an article from its best sentence), so a
paragraph making three points reaches three provisions.

Signals of a (sentence, article) candidate (``learned.FEATURES``):

1. **citations** — a resolved pinpoint citation in the sentence (``Article 13 of the
   PIPL``) links to exactly the cited provision (article, paragraph or item), score 1.0
   (0.6 when ambiguous): certainties, not a signal;
2. **document context**, a prior — the article's document is named in the sentence, or
   elsewhere in the passage; is the *successor* (manifest ``supersedes``) of a text-absent
   document the passage names (the 2023 CAC draft -> the 2025 FRT Measures: the evidence
   says ``successor_of`` and why; the signal is ``1 / (1 + years)`` from the draft to the
   final's adoption, so a final adopted years later counts for less); is discussed by the
   commentary (or succeeds a document it discusses); or is merely in force at the
   commentary's date. Every article of a short document (``LinkConfig.short_document``,
   20 articles at most) named in the sentence, none of its articles cited in the passage,
   or succeeding the draft the passage is about is a candidate, whatever its words: a
   paraphrase of the draft shares few words with the final article that carries it;
3. **terms** — legal concepts (``corpus/link/concepts.toml``) shared, weighted by rarity,
   and whether a specific one anchors the link;
4. **similarity** in the sentence's language — English sentences against the English
   translations (Snowball English stems, TF-IDF), Chinese sentences against the Chinese text (jieba
   words, TF-IDF), and English sentences against the Chinese text of an untranslated
   article through the bilingual glossary (``corpus/link/glossary.toml``, built from the
   statutes and their translations by ``scripts/build_glossary.py``); the same for the
   whole passage, and for the whole commentary (what it is about); shared topic tags;
5. **focus** — whether the article has the most evidence among its document's candidates
   for the sentence, and by how much;
6. **the sentence before** (same section) — its three best candidates stay candidates of
   the next sentence, with their evidence there as the ``neighbour`` signal: the quote
   after a paraphrase of Art. 10, "the official said", speaks of Art. 10 too;
7. **the sentence itself** — whether it names a jurisdiction whose law we do not hold
   (``elsewhere``), whether it has a word of law at all (``normative``), and, when it has,
   the kind of the article's instrument (law, administrative regulation, departmental rule,
   judicial interpretation): a sentence stating a rule tends to mean the specific
   instrument more than a general regulation restating a law;
8. **the passage** — whether any of its sentences has a word of law
   (``normative_passage``): the same for all of a sentence's candidates, so it moves the
   sentence's mass between the provisions and "no provision" (a product's facts, an
   anecdote, in a passage without a word of law, lean to "none").

**The combination is learned** (``corpus/link/weights.toml``, fitted by
``scripts/train_links.py`` on the dev claims of ``corpus/eval/claims/``): each candidate's
logit is ``bias + sum(weight * signal)``, and a sentence's candidates share one softmax
with "no provision" (logit 0): ``score = exp(logit) / (1 + sum of exp(logits))``. A sentence
about nothing legal leaves its mass on "none"; links scoring less than the file's
``min_score`` (0.03, chosen by leave-one-out) are not emitted. ``scripts/bench_links.py``
prints the held-out and leave-one-document-out figures, reading the fixture articles with
``kb ingest --commentary``'s own code.

Candidates are proposed by shared words (in fewer than ``common_share`` of the articles),
shared concepts, citations and the sentence before, among the articles of the documents in
context; a law the sentence names without an article (a *whole-law* claim: "regulated by
the Cybersecurity Law") also proposes its three articles closest to the whole commentary.
Newsletter side items get provision links only from explicit citations. A passage naming
a document whose text is absent gets a ``mentions`` link to it (by citation, or "the draft"
carried over). Every inferred link carries its evidence, e.g.::

    {"context": "successor", "sentence": [0, 92], "terms": ["hotel rooms", "facial recognition"],
     "anchors": ["hotel rooms"], "implied": {}, "phrases": ["hotel rooms"],
     "similarity": {"en": 0.31}, "translated": true,
     "successor_of": "cac-frt-2023-draft", "why": "the text-absent document's successor ...",
     "signals": {"bias": -7.4, "successor": 4.0, "terms": 2.1, "sim_en": 0.7, ...},
     "logit": 2.4, "normaliser": 12.1}

``signals`` are the log-odds each signal contributed (they sum to ``logit``); the score is
``exp(logit) / normaliser``. A citation link's evidence is
``{"citation": "Article 13 of the PIPL", "status": "resolved", "sentence": [0, 40]}``.
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
