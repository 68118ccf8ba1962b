"""Which provisions a commentary passage discusses: ``discusses`` and ``mentions`` links.

A passage is linked to a provision on the evidence of four signals, strongest first:

1. **citations** — a resolved pinpoint citation in the passage (``Article 13 of the
   PIPL``) links to exactly the cited provision (article, paragraph or item);
2. **document context** — which documents the passage names (document-level
   citations, already version-resolved by the citing date) or, failing that, which
   documents its commentary ``discusses`` (manifest) that existed at its date;
3. **terms** — legal concepts (:data:`CONCEPTS`: *separate consent*, *under the age of
   14*, *sole means of verification* …) found in the passage and in the provision's
   Chinese text or English translation;
4. **topics** and **lexical similarity** — shared topic tags (annotations on the
   passage and on the provision or its parts) and TF-IDF cosine of stemmed words
   between the passage and the provision's English translation.

Candidates are the articles of the documents in context (2). Articles of any other
document in force at the commentary's date are candidates only on strong evidence (at
least two specific shared concepts and agreeing words of an English translation, see
:attr:`LinkConfig.gates`), and score lower (:attr:`LinkConfig.context_weight`); stronger
still when the passage names no document at all. That is how a passage about a draft
whose text is absent (the 2023 CAC facial-recognition draft) reaches the in-force
provisions that already say the same thing. Such a passage also gets a ``mentions``
link to the absent document, found by citation or, for "the draft" / "the new rules",
by carrying over the absent document last named in the same section (or the one the
commentary is about, when its manifest entry discusses only that one).

A document named before it was adopted (a law still being drafted) has no articles to
discuss yet; a superseded version is not "in force" after its successor took effect.
Headings and newsletter side items (``part == "newsletter-items"``) get provision links
only from explicit citations. At most :attr:`LinkConfig.max_links` links per passage,
each within :attr:`LinkConfig.relative_cutoff` of the passage's best.

Every link carries its evidence, e.g.::

    {"context": "mentioned", "doc_mention": "csl-2016", "mention_text": "2017 Cybersecurity Law",
     "terms": ["consent", "personal information"], "phrases": ["consent", "personal-data"],
     "term_strength": 0.61, "similarity": 0.1048, "shared_topics": ["consent"], "translated": true}

A citation link's evidence is ``{"citation": "Article 13 of the PIPL", "status": "resolved"}``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kb.model import Annotation, DocumentMeta, Link, Passage, Provision, Translation

__all__ = [
    "BACKGROUND_CONCEPTS",
    "CONCEPTS",
    "Concept",
    "LinkConfig",
    "PassageLinker",
    "ProvisionIndex",
    "concepts_in",
    "in_force_at",
    "link_passages",
    "stems",
]

# How a candidate provision relates to the passage: cited by it, in a document it
# names, in a document its commentary discusses, elsewhere in force while the passage
# names some document (open), or elsewhere while it names none (unanchored).
Context = Literal["cited", "mentioned", "discussed", "open", "unanchored"]

# ------------------------------------------------------------------------ vocabulary
@dataclass(frozen=True)
class Concept:
    """One legal concept: English and Chinese patterns, and examples the tests check.

    ``en`` is a case-insensitive regex in which a space also matches a hyphen or a line
    break; ``zh`` a regex over the statute's Chinese text. ``examples`` must match (in
    the language they are written in) and ``counter_examples`` must not.
    """

    id: str
    en: str
    zh: str
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


# Legal concepts of personal-information and facial-recognition law, each with the
# English phrasings commentary and translations use and the Chinese terms of the
# statutes. A concept matches a passage (English) or a provision (its Chinese text or
# its English translation); shared concepts are the "terms" evidence of a link.
# English patterns are case-insensitive regexes over the text; keep them general (the
# law's own vocabulary and its common paraphrases), never phrases of one article.
CONCEPTS: tuple[Concept, ...] = (
    Concept("consent", r"\bconsent\w*", r"同意",
            ("without the consent of the individual", "经被收集者同意")),
    Concept("separate consent", r"\bseparate(?:ly)? consent|\bexplicit consent|\bspecific consent", r"单独同意",
            ("obtain separate consent", "取得个人的单独同意"), ("consent given separately by each",)),
    Concept("written consent", r"\bwritten (?:\w+ )?(?:consent|permission|authori[sz]ation)", r"书面同意",
            ("written consent of the guardian", "written legal permission", "取得书面同意")),
    Concept("guardian", r"\bguardians?\b|\bparent(?:s|al)?\b", r"监护人|父母",
            ("parental consent", "the minor's parents or other guardians", "其监护人的同意")),
    Concept("under 14", r"\bunder (?:the age of )?(?:14|fourteen)\b|\b(?:14|fourteen) years", r"不满十四周岁",
            ("children under 14", "minors under the age of fourteen", "不满十四周岁未成年人")),
    Concept("minors", r"\bminors?\b|\bchild(?:ren)?\b|\bjuveniles?\b", r"未成年人|儿童",
            ("personal information of minors", "children's data", "未成年人个人信息")),
    Concept("sensitive personal information", r"\bsensitive (?:\w+ )?(?:information|data|pi)\b", r"敏感个人信息",
            ("sensitive personal information", "sensitive facial data", "处理敏感个人信息")),
    Concept("biometric", r"\bbiometric\w*", r"生物识别",
            ("biometric identification", "personal biometric information", "生物识别信息")),
    Concept("facial information", r"\bfac(?:e|ial) (?:data|information|images?|scans?)\b", r"人脸信息",
            ("facial data", "face information of minors", "处理人脸信息")),
    Concept("specific purpose", r"\bspecific(?:ed)? purposes?\b", r"特定的目的|特定目的",
            ("for a specific purpose", "具有特定的目的")),
    Concept("sufficient necessity", r"\bsufficient(?:ly)? necess\w*", r"充分的必要性|充分必要",
            ("sufficient necessity", "sufficiently necessary", "充分的必要性")),
    Concept("strict protection", r"\bstrict\w* (?:\w+ ){0,2}(?:protection|protective|security)", r"严格保护",
            ("strict protective measures", "strict data protection measures", "采取严格保护措施")),
    Concept("lawful, legitimate, necessary",
            r"\b(?:lawful(?:ness)?|legal(?:ity)?),? (?:legitima\w*|justified|proper),? (?:and )?necess\w*",
            r"合法、正当、必要",
            ("lawfulness, legitimacy and necessity", "legal, justified, necessary", "遵循合法、正当、必要的原则")),
    Concept("purpose, method and scope",
            r"\bpurpose,? (?:the )?(?:method|manner|means),? and (?:the )?scope|\bnature and purpose\b",
            r"目的、方式和范围",
            ("the purpose, method and scope of collection", "明示收集、使用信息的目的、方式和范围")),
    Concept("public places", r"\bpublic (?:places?|spaces?|areas?|venues?)\b", r"公共场所",
            ("cameras in public places", "在公共场所安装图像采集")),
    Concept("public security", r"\bpublic (?:security|safety)\b", r"公共安全",
            ("necessary for safeguarding public security", "为维护公共安全所必需")),
    Concept("image capture equipment",
            r"\b(?:image|video) (?:capture|collection|surveillance)|\bcameras?\b|\bscanners?\b"
            r"|\brecognition (?:equipment|devices?)",
            r"图像采集|个人身份识别设备|摄像",
            ("image capture equipment", "surveillance cameras", "face scanners", "安装图像采集、个人身份识别设备")),
    Concept("signs", r"\b(?:prominent|conspicuous|warning|notice) signs?\b|\bsigns? (?:posted|giving notice)|\bsignage",
            r"提示标识",
            ("conspicuous signs giving notice", "prominent warning signs", "设置显著的提示标识"),
            ("signs of progress",)),
    Concept("state organs",
            r"\bstate organs?\b|\bgovernment (?:departments?|agencies|actors|bodies|organs?)\b|\bpublic authorities\b",
            r"国家机关",
            ("state organs handling personal information", "government departments", "国家机关处理个人信息")),
    Concept("statutory duties",
            r"\bstatutory (?:duties|obligations)\b|\bperform(?:ing)? (?:their )?(?:statutory |legal )?duties",
            r"法定职责|法定义务",
            ("to perform statutory duties", "to perform their duties", "为履行法定职责")),
    Concept("legal basis", r"\blegal (?:basis|permission|authori[sz]ation)\b|\bnot required by laws?\b",
            r"不需取得个人同意",
            ("without a legal basis", "not required by laws and administrative regulations", "不需取得个人同意")),
    Concept("encryption", r"\bencrypt\w*|\bde-?identif\w*|\banonymi[sz]\w*|\bphysical isolation\b",
            r"加密|去标识化|匿名化",
            ("encryption and de-identification", "should it be encrypted", "采取加密、去标识化等安全技术措施")),
    Concept("security measures", r"\b(?:technical|security|protective) measures\b|\bdata security\b",
            r"安全技术措施|技术措施",
            ("technical measures", "a lack of data security", "采取技术措施和其他必要措施")),
    Concept("deletion", r"\bdelet\w+|\berase\w*|\berasure\b", r"删除",
            ("delete collected face data", "the right to erasure", "有权要求删除")),
    Concept("retention", r"\bretention\b|\bretain\w*|\bstorage period\b", r"保存期限",
            ("retained for no longer than necessary", "个人信息的保存期限")),
    Concept("assessment",
            r"\b(?:security|impact|risk|regular) (?:assessments?|evaluations?|audits?)|\bcompliance audits?\b"
            r"|\bannual evaluation",
            r"影响评估|安全评估|合规审计|风险评估",
            ("regular security assessments", "a personal information protection impact assessment", "进行合规审计")),
    Concept("filing", r"\bfiling\b|\bregist(?:er|ration)\b.{0,40}\b(?:administration|authorit\w+|regulator)",
            r"备案",
            ("a filing system", "must register with the Cyberspace Administration", "向网信部门备案")),
    Concept("national security", r"\bnational security\b", r"国家安全",
            ("national-security exceptions", "危害国家安全")),
    Concept("public interest", r"\bpublic interests?\b|\bsocial order\b", r"公共利益|社会秩序",
            ("harm the public interest", "public interests or social order", "损害公共利益")),
    Concept("religious beliefs", r"\breligio\w*", r"宗教信仰",
            ("religious beliefs", "determine religion", "宗教信仰")),
    Concept("health", r"\bhealth status\b|\bmedical\b|\bhealth (?:data|information)\b", r"医疗健康",
            ("health status", "medical records", "医疗健康"), ("public health emergency",)),
    Concept("ethnicity", r"\bethnic\w*|\brac(?:e|ial)\b", r"种族",
            ("ethnicity", "racial profiling", "种族")),
    Concept("coercion", r"\bcoerc\w*|\bforc(?:e|ed|es|ing)\b|\bpressure\w*|\bcompulsor\w*|\bbundl\w*",
            r"强迫|胁迫|捆绑",
            ("forced to consent", "pressure individuals", "compulsorily collecting", "强迫或者变相强迫")),
    Concept("refusing service", r"\brefus\w+ to (?:provide|serve)|\bbarr(?:ed|ing)\b|\bdenied (?:access|entry|service)",
            r"拒绝提供产品或者服务",
            ("refuse to provide products or services", "barred entry", "拒绝提供产品或者服务")),
    Concept("sole means", r"\b(?:sole|only|single) (?:means|method|way)\b", r"唯一验证方式|唯一方式",
            ("the sole means of verification", "以人脸识别作为唯一验证方式")),
    Concept("alternative means",
            r"\balternatives?\b|\balternative (?:means|methods?|ways?)"
            r"|\b(?:an)?other reasonable (?:means|methods?|ways?)|\breasonable and convenient",
            r"其他合理验证方式|其他验证方式",
            ("another reasonable means of verification", "alternatives must be offered", "提供其他合理验证方式"),
            ("recorded electronically or by other means",)),
    Concept("verification",
            r"\bverif\w+|\bauthenticat\w+|\bidentity checks?\b|\bestablish (?:their )?identit\w+"
            r"|\bauthoriz\w+ entrance",
            r"验证|身份认证|辨识",
            ("means of verification", "identity checks", "人脸验证、辨识")),
    Concept("buildings and property",
            r"\bbuildings?\b|\bresidential\b|\bproperty (?:management|services?|owners?)|\belevators?\b"
            r"|\bhousing estates?\b",
            r"物业|建筑物|住宅|小区",
            ("residential buildings", "property services enterprise", "物业服务企业或者其他建筑物管理人")),
    Concept("entry", r"\bentr(?:y|ance|ances)\b|\benter(?:ing)?\b|\badmission\b|\baccess control", r"出入|进出",
            ("entering and leaving", "a scan for admission", "出入物业服务区域")),
    Concept("network operators", r"\bnetwork operators?\b", r"网络运营者",
            ("network operators shall", "网络运营者收集、使用个人信息")),
    Concept("leakage", r"\bleak\w*|\btamper\w*|\bbreach(?:es)?\b", r"泄露|篡改",
            ("leaked or tampered with", "data breaches", "不得泄露、篡改")),
    Concept("notice",
            r"\binform\w* (?:the )?(?:individual|person|user)s?\b|\bnotif\w+|\bdisclos\w+ (?:their |the )?rules"
            r"|\btransparen\w+",
            r"告知|公开处理规则|明示",
            ("inform the individual", "transparency", "向个人告知")),
    Concept("cross-border", r"\bcross-border\b|\boutside the territory\b|\boverseas\b|\blocali[sz]ation\b",
            r"境外|出境|境内存储",
            ("cross-border transfer", "data localization", "向境外提供")),
    Concept("public health emergency", r"\bpublic health\b|\bepidemic\b|\bcovid\w*|\bpandemic\b",
            r"突发公共卫生事件",
            ("a public health emergency", "COVID-19 controls", "应对突发公共卫生事件")),
    Concept("tracking", r"\btrack(?:ing|ed)?\b|\btrajector\w*|\bwhereabouts\b", r"行踪轨迹",
            ("trajectory tracking", "whereabouts", "行踪轨迹")),
    Concept("private places",
            r"\bhotel rooms?\b|\bbathrooms?\b|\btoilets?\b|\brestrooms?\b|\bchanging rooms?\b|\bdormitor\w+",
            r"客房|卫生间|浴室|更衣室|宿舍",
            ("hotel rooms and restrooms", "旅馆客房、公共浴室")),
    Concept("personal information", r"\bpersonal (?:information|data)\b|\bpii\b|\bpersonally identifiable",
            r"个人信息",
            ("personal-data collection", "personally identifiable information", "个人信息")),
    Concept("facial recognition", r"\bfac(?:e|ial) recognition\b|\bface scan\w*", r"人脸识别",
            ("facial-recognition system", "face scanning", "人脸识别技术")),
)

# The background of the whole field: nearly every passage and many provisions have them,
# so they count half and never as the "specific" evidence a link needs.
BACKGROUND_CONCEPTS = frozenset({"personal information", "facial recognition", "facial information"})

_EN_CONCEPTS = tuple((c.id, re.compile(c.en.replace(" ", r"[\s\-]+"), re.IGNORECASE)) for c in CONCEPTS)
_ZH_CONCEPTS = tuple((c.id, re.compile(c.zh)) for c in CONCEPTS if c.zh)

# Words that carry no meaning for matching a passage to a provision (function words and
# the boilerplate of statutes and of their translations).
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be been before being below between
    both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor not
    now of off on once only or other our ours out over own same she should so some such than that the
    their theirs them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your shall may must law laws article
    articles provision provisions paragraph item items relevant accordance thereof hereinafter china
    chinese people's republic prc state said says within without upon per one two three new"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "edly", "ed", "ies", "es", "s", "ly", "ment", "ments")

# Definite references to a document whose text we lack: "the draft", "the new rules",
# "these regulations", "the proposal". Resolved to the absent document the commentary
# last named, or the one it is about.
ANAPHOR_RE = re.compile(
    r"\b(?:the|these|this|its)\s+(?:(?:new|proposed|draft|latest|government[’']s|chinese|cac[’']s)\s+){0,3}"
    r"(?:draft|rules|regulations?|proposal|measures|guidelines|stipulations|specifications?)\b",
    re.IGNORECASE,
)


def stems(text: str) -> list[str]:
    """Lower-cased content words with a light suffix stripping (no dictionary needed).

    >>> stems("The collection of sensitive personal information requires separate consent")
    ['collect', 'sensitive', 'personal', 'inform', 'requir', 'separate', 'consent']
    """
    out: list[str] = []
    for word in _WORD.findall(text.lower().replace("’", "'")):
        word = word.removesuffix("'s")
        if word in _STOPWORDS or len(word) < 3:
            continue
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        out.append(word)
    return out


def concepts_in(text: str, lang: Literal["en", "zh"]) -> dict[str, list[str]]:
    """The concepts of :data:`CONCEPTS` found in ``text``, each with its matched phrases.

    >>> sorted(concepts_in("Parental consent is needed for children under the age of 14.", "en"))
    ['consent', 'guardian', 'minors', 'under 14']
    >>> sorted(concepts_in("处理不满十四周岁未成年人个人信息的，应当取得未成年人的父母或者其他监护人的同意。", "zh"))
    ['consent', 'guardian', 'minors', 'personal information', 'under 14']
    """
    found: dict[str, list[str]] = {}
    for cid, pattern in _EN_CONCEPTS if lang == "en" else _ZH_CONCEPTS:
        hits = [m.group(0) for m in pattern.finditer(text)]
        if hits:
            found[cid] = hits
    return found


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class LinkConfig:
    """Thresholds of the linker; the defaults were set on the labelled commentary set.

    *Strength* is the summed weight of the concepts a passage and a provision share; a
    concept's weight is its IDF over the provisions (1.0 for a concept found in a single
    article) times how rare it is among the commentary's passages (a concept every
    passage has, like *facial recognition* in a piece about facial recognition, tells
    nothing about which provision one discusses) times how rare it is among the articles
    of the provision's own document. A *specific* concept weighs at least
    ``specific_weight``.
    """

    max_links: int = 5
    min_score: float = 0.3
    # a link must reach this share of the passage's best link (keeps focus)
    relative_cutoff: float = 0.7
    specific_weight: float = 0.3
    # by context: (minimum strength, minimum shared specific concepts, minimum word similarity)
    gates: Mapping[str, tuple[float, int, float]] = field(
        default_factory=lambda: {
            "mentioned": (0.5, 1, 0.0),
            "discussed": (1.0, 2, 0.0),
            "open": (1.0, 2, 0.06),
            "unanchored": (2.0, 3, 0.1),
        }
    )
    strength_scale: float = 1.5  # strength giving full marks
    similarity_scale: float = 0.25  # word similarity giving full marks
    # how far each context trusts a candidate
    context_weight: Mapping[str, float] = field(
        default_factory=lambda: {"cited": 1.0, "mentioned": 1.0, "discussed": 0.85, "open": 0.7, "unanchored": 0.6}
    )
    # score of an explicit citation, by the citation's status
    citation_score: Mapping[str, float] = field(default_factory=lambda: {"resolved": 1.0, "ambiguous": 0.6})
    mention_score: Mapping[str, float] = field(default_factory=lambda: {"citation": 1.0, "anaphora": 0.6})
    min_words: int = 8  # shorter passages (captions, transitions) get no inferred links


# ---------------------------------------------------------------------------- index


@dataclass(frozen=True)
class _Article:
    id: str
    doc_id: str
    words: Mapping[str, float]  # TF-IDF of the translation's stems, L2-normalised ({} untranslated)
    concepts: Mapping[str, float]  # concept (Chinese text or translation) -> rarity within its document
    topics: frozenset[str]

    @property
    def translated(self) -> bool:
        return bool(self.words)


@dataclass(frozen=True)
class _Text:
    """An English passage, analysed once."""

    words: Counter[str]
    concepts: Mapping[str, tuple[str, ...]]  # concept -> phrases that matched


def _tfidf(counts: Mapping[str, float], weight: Mapping[str, float], default: float) -> dict[str, float]:
    vec = {k: (1 + math.log(c)) * weight.get(k, default) for k, c in counts.items() if c > 0}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {k: v / norm for k, v in vec.items() if v} if norm else {}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[k] for k, v in a.items() if k in b)


def _article_of(eid: str) -> str:
    return eid.split("__")[0]


def _topics_by_article(annotations: Iterable[Annotation]) -> dict[str, set[str]]:
    """Topic labels per article id, gathered from the article and all its parts."""
    out: dict[str, set[str]] = {}
    for ann in annotations:
        if ann.kind != "topic" or "/" not in ann.target_id or "/p_" in ann.target_id:
            continue
        doc, _, eid = ann.target_id.partition("/")
        out.setdefault(f"{doc}/{_article_of(eid)}", set()).add(ann.label)
    return out


def _local(df: int, n: int) -> float:
    """How rare something is among the ``n`` articles of one document (0..1)."""
    return (n + 1 - df) / (n + 1) if n else 1.0


def _analyse(text: str) -> _Text:
    return _Text(Counter(stems(text)), {c: tuple(dict.fromkeys(h)) for c, h in concepts_in(text, "en").items()})


@dataclass(frozen=True)
class ProvisionIndex:
    """The article-level features passages are compared with; build once per corpus."""

    articles: Mapping[str, _Article]
    by_doc: Mapping[str, tuple[str, ...]]
    word_idf: Mapping[str, float]
    concept_idf: Mapping[str, float]

    @classmethod
    def build(
        cls,
        provisions: Iterable[Provision],
        translations: Iterable[Translation],
        annotations: Iterable[Annotation] = (),
    ) -> ProvisionIndex:
        english = {t.provision_id: t.text_en for t in translations}
        topics = _topics_by_article(annotations)
        raw: list[tuple[Provision, Counter[str], frozenset[str]]] = []
        for prov in provisions:
            if prov.level not in ("article", "preamble"):
                continue
            en = english.get(prov.id, "")
            found = frozenset(concepts_in(prov.text, "zh")) | frozenset(concepts_in(en, "en"))
            raw.append((prov, Counter(stems(en)), found))
        word_df: Counter[str] = Counter()
        concept_df: Counter[str] = Counter()
        local_words: dict[str, Counter[str]] = {}
        local_concepts: dict[str, Counter[str]] = {}
        sizes: Counter[str] = Counter()
        translated_sizes: Counter[str] = Counter()
        for prov, words, found in raw:
            word_df.update(words.keys())
            concept_df.update(found)
            local_words.setdefault(prov.doc_id, Counter()).update(words.keys())
            local_concepts.setdefault(prov.doc_id, Counter()).update(found)
            sizes[prov.doc_id] += 1
            translated_sizes[prov.doc_id] += bool(words)
        translated = sum(1 for _, words, _ in raw if words)
        word_idf = {w: math.log((translated + 1) / (d + 1)) + 1 for w, d in word_df.items()}
        # In units of the largest IDF possible (a concept in one article), so that the
        # thresholds of LinkConfig mean the same for a corpus of 10 articles or 10,000.
        top_idf = math.log((len(raw) + 1) / 2) + 1
        concept_idf = {c: (math.log((len(raw) + 1) / (d + 1)) + 1) / top_idf for c, d in concept_df.items()}
        articles: dict[str, _Article] = {}
        by_doc: dict[str, list[str]] = {}
        for prov, words, found in raw:
            # Within one document a word or concept that most articles share cannot tell
            # them apart: 人脸信息 is in every article of the SPC facial-recognition rules.
            doc = prov.doc_id
            n_words, n_all = translated_sizes[doc], sizes[doc]
            weights = {w: word_idf[w] * _local(local_words[doc][w], n_words) for w in words}
            vec = _tfidf(words, weights, 0.0)
            concepts = {c: _local(local_concepts[doc][c], n_all) for c in found}
            articles[prov.id] = _Article(prov.id, doc, vec, concepts, frozenset(topics.get(prov.id, ())))
            by_doc.setdefault(doc, []).append(prov.id)
        return cls(articles, {d: tuple(ids) for d, ids in by_doc.items()}, word_idf, concept_idf)


def _rarity(texts: Sequence[_Text]) -> tuple[dict[str, float], dict[str, float]]:
    """How rare each word and concept is among one commentary's passages (0..1).

    ``(n + 2 - df) / (n + 2)``: something in every passage of a long piece weighs
    little, while a lone passage (n = 1) still keeps two thirds of every weight.
    """
    n = len(texts)
    words: Counter[str] = Counter()
    concepts: Counter[str] = Counter()
    for t in texts:
        words.update(t.words.keys())
        concepts.update(t.concepts.keys())
    return (
        {w: (n + 2 - d) / (n + 2) for w, d in words.items()},
        {c: (n + 2 - d) / (n + 2) for c, d in concepts.items()},
    )


# --------------------------------------------------------------------------- dates


def _date_key(date: str, *, end: bool) -> str:
    """A partial ISO date as the first or last day it covers: 2021 -> 2021-12-31 (end)."""
    parts = date.split("-")
    if len(parts) == 1:
        return f"{parts[0]}-12-31" if end else f"{parts[0]}-01-01"
    if len(parts) == 2:
        return f"{date}-31" if end else f"{date}-01"
    return date


def in_force_at(doc: DocumentMeta, successors: Iterable[DocumentMeta], date: str | None) -> bool:
    """Whether ``doc`` applied at ``date``: in force by then and not yet replaced.

    Drafts and commentary never apply. With no date, the latest version applies.
    """
    if doc.kind in ("draft", "commentary"):
        return False
    later = [s for s in successors if s.kind != "draft"]
    if date is None:
        return not later
    start = doc.in_force_from
    if start and _date_key(start, end=False) > _date_key(date, end=True):
        return False
    return not any(s.in_force_from and _date_key(s.in_force_from, end=False) <= _date_key(date, end=False)
                   for s in later)


# --------------------------------------------------------------------------- linker


@dataclass(frozen=True)
class _Candidate:
    article: str
    context: Context
    score: float
    evidence: dict[str, Any]


@dataclass(frozen=True)
class _Query:
    """One passage, ready to be scored: weighted words, concept weights, topics."""

    words: Mapping[str, float]
    concepts: Mapping[str, float]  # concept -> weight (IDF x rarity in the commentary)
    surfaces: Mapping[str, tuple[str, ...]]
    topics: frozenset[str]


class PassageLinker:
    """Links passages to provisions; holds the per-corpus index and document facts."""

    def __init__(
        self,
        index: ProvisionIndex,
        documents: Sequence[DocumentMeta],
        config: LinkConfig | None = None,
    ) -> None:
        self.index = index
        self.config = config or LinkConfig()
        self.documents = {d.id: d for d in documents}
        self.successors: dict[str, list[DocumentMeta]] = {}
        for d in documents:
            if d.supersedes:
                self.successors.setdefault(d.supersedes, []).append(d)

    # -- document context ------------------------------------------------------------

    def _in_force(self, doc_id: str, date: str | None) -> bool:
        doc = self.documents.get(doc_id)
        return doc is not None and in_force_at(doc, self.successors.get(doc_id, ()), date)

    def _exists(self, doc_id: str, date: str | None) -> bool:
        """Whether the text of ``doc_id`` existed (was adopted) by ``date``."""
        doc = self.documents.get(doc_id)
        if doc is None:
            return False
        first = min((d for d in (doc.adopted, doc.promulgated, doc.effective, doc.date) if d), default=None)
        return date is None or first is None or _date_key(first, end=False) <= _date_key(date, end=True)

    def _has_text(self, doc_id: str) -> bool:
        return doc_id in self.index.by_doc

    # -- one commentary --------------------------------------------------------------

    def link(
        self, passages: Sequence[Passage], annotations: Iterable[Annotation], *, commentary_date: str | None
    ) -> list[Link]:
        """``discusses`` and ``mentions`` links of ``passages`` (one commentary, in order)."""
        wanted = {p.id for p in passages}
        by_target: dict[str, list[Annotation]] = {}
        for ann in annotations:
            if ann.target_id in wanted:
                by_target.setdefault(ann.target_id, []).append(ann)
        texts = {p.id: _analyse(p.text) for p in passages}
        word_rarity, concept_rarity = _rarity([texts[p.id] for p in passages if p.part == "body"])
        open_docs = [d for d in self.index.by_doc if self._in_force(d, commentary_date)]
        links: list[Link] = []
        last_absent: tuple[str | None, str] | None = None
        for passage in passages:
            anns = by_target.get(passage.id, [])
            mentions, last_absent = self._mentions(passage, anns, last_absent)
            links.extend(mentions)
            text = texts[passage.id]
            query = _Query(
                words=_tfidf(
                    text.words,
                    {w: self.index.word_idf.get(w, 0.0) * word_rarity.get(w, 1.0) for w in text.words},
                    0.0,
                ),
                concepts={c: self.index.concept_idf.get(c, 0.0) * concept_rarity.get(c, 1.0) for c in text.concepts},
                surfaces=text.concepts,
                topics=frozenset(a.label for a in anns if a.kind == "topic"),
            )
            links.extend(self._discusses(passage, anns, mentions, query, commentary_date, open_docs))
        return links

    def _subject(self, doc_id: str) -> str | None:
        """The text-absent document a commentary is about: the only one it discusses."""
        meta = self.documents.get(doc_id)
        if meta is None or len(meta.discusses) != 1 or self._has_text(meta.discusses[0]):
            return None
        return meta.discusses[0]

    def _mentions(
        self, passage: Passage, anns: Sequence[Annotation], last_absent: tuple[str | None, str] | None
    ) -> tuple[list[Link], tuple[str | None, str] | None]:
        """``mentions`` links to text-absent documents: named, or "the draft" carried over.

        ``last_absent`` is (section, document) of the last absent document named; "the
        proposal" refers to it within the same section, or else to the commentary's
        subject when it discusses just one absent document.
        """
        cfg = self.config
        out: dict[str, Link] = {}
        for ann in sorted(anns, key=lambda a: a.start):
            if ann.kind != "citation":
                continue
            for target in ann.data.get("ids", ()):
                if "/" in target or target not in self.documents or self._has_text(target):
                    continue
                if target not in out:
                    evidence = {"via": "citation", "text": ann.text, "status": ann.data.get("status")}
                    out[target] = Link(passage.id, target, "mentions", cfg.mention_score["citation"], evidence)
                last_absent = (passage.section, target)
        if not out and passage.part == "body":
            antecedent = self._subject(passage.doc_id)
            if last_absent is not None and last_absent[0] == passage.section:
                antecedent = last_absent[1]
            m = ANAPHOR_RE.search(passage.text)
            if m and antecedent:
                evidence = {"via": "anaphora", "text": m.group(0)}
                out[antecedent] = Link(passage.id, antecedent, "mentions", cfg.mention_score["anaphora"], evidence)
        return list(out.values()), last_absent

    def _discusses(
        self,
        passage: Passage,
        anns: Sequence[Annotation],
        mentions: Sequence[Link],
        query: _Query,
        date: str | None,
        open_docs: Sequence[str],
    ) -> list[Link]:
        cfg = self.config
        cited: dict[str, _Candidate] = {}
        mentioned: dict[str, str] = {}  # doc id -> the citation text naming it
        for ann in anns:
            if ann.kind != "citation":
                continue
            status = str(ann.data.get("status", ""))
            for target in ann.data.get("ids", ()):
                if "/" in target:
                    score = cfg.citation_score.get(status)
                    if score is not None and (target not in cited or cited[target].score < score):
                        cited[target] = _Candidate(target, "cited", score, {"citation": ann.text, "status": status})
                elif status == "resolved" and self._has_text(target) and self._exists(target, date):
                    # a law still being drafted at the passage's date has no articles to discuss
                    mentioned.setdefault(target, ann.text)
        results = list(cited.values())
        inferable = passage.kind != "heading" and passage.part == "body" and len(passage.text.split()) >= cfg.min_words
        if inferable and query.concepts:
            meta = self.documents.get(passage.doc_id)
            discussed = [d for d in (meta.discusses if meta else ()) if self._has_text(d) and self._exists(d, date)]
            # A passage that names no document reaches beyond its commentary's documents
            # only on overwhelming evidence.
            anchored = bool(mentions or mentioned or cited)
            contexts: dict[str, Context] = dict.fromkeys(open_docs, "open" if anchored else "unanchored")
            # A passage about a document whose text we lack (the draft) reaches the
            # commentary's other documents on the same strict terms as any in-force law.
            if not (mentions and not mentioned):
                contexts.update(dict.fromkeys(discussed, "discussed"))
            contexts.update(dict.fromkeys(mentioned, "mentioned"))
            cited_articles = {
                f"{c.article.partition('/')[0]}/{_article_of(c.article.partition('/')[2])}" for c in results
            }
            for doc, context in contexts.items():
                for art_id in self.index.by_doc.get(doc, ()):
                    if art_id in cited_articles:
                        continue
                    cand = self._score(query, self.index.articles[art_id], context)
                    if cand is None:
                        continue
                    if doc in mentioned:
                        cand.evidence["doc_mention"] = doc
                        cand.evidence["mention_text"] = mentioned[doc]
                    if context == "open" and mentions:
                        cand.evidence["about"] = [lk.dst for lk in mentions]
                    results.append(cand)
        return self._select(passage, results)

    def _score(self, query: _Query, art: _Article, context: Context) -> _Candidate | None:
        cfg = self.config
        min_strength, min_specific, min_similarity = cfg.gates[context]
        weight = {
            c: query.concepts[c] * art.concepts[c] * (0.5 if c in BACKGROUND_CONCEPTS else 1.0)
            for c in query.concepts
            if c in art.concepts
        }
        shared = sorted(weight, key=lambda c: -weight[c])
        strength = sum(weight.values())
        specific = [c for c in shared if weight[c] >= cfg.specific_weight and c not in BACKGROUND_CONCEPTS]
        if strength < min_strength or len(specific) < min_specific:
            return None
        if context in ("open", "unanchored") and not art.translated:
            return None  # far from the passage's documents, we want the words to agree too
        similarity = _cosine(query.words, art.words)
        if similarity < min_similarity:
            return None
        shared_topics = sorted(query.topics & art.topics)
        raw = (
            0.5 * min(1.0, strength / cfg.strength_scale)
            + 0.4 * min(1.0, similarity / cfg.similarity_scale)
            + (0.1 if shared_topics else 0.0)
        )
        score = round(raw * cfg.context_weight[context], 4)
        terms = shared
        evidence: dict[str, Any] = {
            "context": context,
            "terms": terms,
            "phrases": [p for c in terms for p in query.surfaces.get(c, ())][:8],
            "term_strength": round(strength, 2),
            "similarity": round(similarity, 4),
            "shared_topics": shared_topics,
            "translated": art.translated,
        }
        return _Candidate(art.id, context, score, evidence)

    def _select(self, passage: Passage, candidates: Sequence[_Candidate]) -> list[Link]:
        cfg = self.config
        best: dict[str, _Candidate] = {}
        for c in candidates:
            if c.article not in best or best[c.article].score < c.score:
                best[c.article] = c
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.article))
        if not ranked:
            return []
        top = ranked[0].score
        kept = [
            c for c in ranked
            if c.context == "cited" or (c.score >= cfg.min_score and c.score >= cfg.relative_cutoff * top)
        ][: cfg.max_links]
        return [Link(passage.id, c.article, "discusses", c.score, c.evidence) for c in kept]


def link_passages(
    passages: Sequence[Passage],
    provisions: Iterable[Provision],
    annotations: Iterable[Annotation],
    documents: Sequence[DocumentMeta],
    translations: Iterable[Translation],
    *,
    commentary_date: str | None,
    config: LinkConfig | None = None,
) -> list[Link]:
    """``discusses`` (passage -> provision) and ``mentions`` (passage -> absent document)
    links for the passages of one commentary; see the module docstring.

    Builds a :class:`ProvisionIndex` on every call; to link many commentaries, build one
    index and one :class:`PassageLinker` and call :meth:`PassageLinker.link` for each.
    """
    anns = list(annotations)
    index = ProvisionIndex.build(provisions, translations, anns)
    return PassageLinker(index, documents, config).link(passages, anns, commentary_date=commentary_date)
