"""Direct quotations, who said them, and whose voice each commentary passage carries.

Three steps over one document's passages, all rule-based:

1. **Quote marks** — straight and curly double quotes are paired per passage; a quote left
   open at a paragraph end continues when the next paragraph opens with a quote mark (the
   English convention for quotations over several paragraphs).
2. **Attributions** — a reporting verb from ``corpus/speakers/reporting_verbs.toml``
   ("said", "writes", "according to", "warned" …) with a speaker beside it: a name
   ("Samm Sacks", "Liu"), a pronoun resolved to the last person named ("he said"), or an
   unnamed role ("a university professor"). Quote contents are masked first, so words
   inside a quotation never attribute anything.
3. **Names** — people are normalised within the document: a full name introduced once
   ("Weijun Liu", "Lao Dongyan") and later cut to one name ("Liu", "Lao"), written in the
   other order ("Dongyan Lao") or with a title ("Professor Weijun Liu") is one person.

A quoted span is a *quotation* when it is attributed, or when it is long enough to be
speech (:data:`MIN_UNATTRIBUTED_WORDS` words, not a title). Short unattributed spans are
scare quotes or titles (``so-called "Sharp Eyes"``) and are left alone.

>>> from kb.model import DocumentMeta, Passage
>>> meta = DocumentMeta(id="d", kind="commentary", outlet="The Example Post")
>>> ps = [Passage("d", 1, "“The rules are thin,” said Ada Novak, a fellow at the Harbour Institute."),
...       Passage("d", 2, "Novak noted that the draft repeats older rules.")]
>>> [(q.label, q.text, q.data["role"]) for q in find_quotes(ps, meta)]
[('Ada Novak', 'The rules are thin', 'a fellow at the Harbour Institute')]
>>> who = passage_speakers(ps, meta, find_quotes(ps, meta))
>>> who["d/p_2"]
SpeakerInfo(name='Ada Novak', role='a fellow at the Harbour Institute', kind='reported')
"""

from __future__ import annotations

from kb.annotate.speakers.document import MIN_UNATTRIBUTED_WORDS
from kb.annotate.speakers.lexicon import Lexicon, load_lexicon
from kb.annotate.speakers.quotes import find_quotes, find_reported_speech
from kb.annotate.speakers.voices import SpeakerInfo, SpeakerKind, passage_speakers

__all__ = [
    "MIN_UNATTRIBUTED_WORDS",
    "Lexicon",
    "SpeakerInfo",
    "SpeakerKind",
    "find_quotes",
    "find_reported_speech",
    "load_lexicon",
    "passage_speakers",
]
