"""Citation strings and bibliographic records for documents and provisions.

A pinpoint is read off the eid, so it works for any statute the build parsed:

>>> pinpoint_zh("art_13__para_1__item_4")
'第十三条第一款第（四）项'
>>> pinpoint_en("art_13__para_1__item_4")
'art. 13(1)(iv)'
>>> pinpoint_zh("art_17-1"), pinpoint_en("chp_2__sec_1")
('第十七条之一', 'ch. 2, sec. 1')

:func:`citation_record` puts everything a client needs for one document or provision
in one dict: the Chinese and English citation strings, the three-script citation
(:func:`cite_three_script`: 汉字 title, pinyin, English title, pinpoint to 条/款/项,
version date), the URL of its page for people (``url``) and of its API resource
(``api_url``), CSL-JSON, BibTeX and RIS. The functions are pure: the caller passes the
:class:`~kb.model.DocumentMeta` (``kb.read.query`` rebuilds it from the database).

Original and translated titles go where each format keeps them: CSL-JSON ``title``
(English) and ``original-title`` (汉字); biblatex ``title`` and ``origtitle``; RIS
``TI`` (汉字, the original) and ``TT`` (translated title, English). The pinyin title is
in the three-script citation, which is the note of all three (and BibTeX's
``titlepinyin`` field). The URL is the page; the API URL is the second ``UR`` in RIS,
``apiurl`` in BibTeX and the note's last line in CSL (which has one URL field only).
BibTeX keys are ASCII (``kb.read.romanize.bibtex_key``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote

from kb.ids import loose_units, node_type, split_provision_id
from kb.model import DocumentMeta
from kb.read.romanize import bibtex_key, pinyin_title
from kb.text.numerals import int_to_cn, int_to_roman

__all__ = [
    "CSL_TYPES",
    "CiteFormat",
    "api_url",
    "citation_record",
    "cite_en",
    "cite_three_script",
    "cite_zh",
    "document_url",
    "eid_units",
    "node_path",
    "page_url",
    "pinpoint_en",
    "pinpoint_zh",
    "provision_url",
    "render",
    "to_bibtex",
    "to_csl",
    "to_ris",
]

CiteFormat = Literal["json", "text", "three-script", "csl-json", "bibtex", "ris"]

API_PREFIX = "/api/v1"

# CSL 1.0.2 item types per document kind: "legislation" for enacted laws, "regulation"
# for the rule-making of the State Council, ministries, courts and local congresses,
# "bill" for drafts, "standard" for national standards.
CSL_TYPES: Mapping[str, str] = {
    "law": "legislation",
    "administrative-regulation": "regulation",
    "departmental-rule": "regulation",
    "judicial-interpretation": "regulation",
    "local-regulation": "regulation",
    "standard": "standard",
    "draft": "bill",
    "commentary": "article",
    "other": "document",
}

# RIS reference types per document kind (STAT statute, GOVDOC government document,
# BILL draft, STAND standard, ELEC web page).
RIS_TYPES: Mapping[str, str] = {
    "law": "STAT",
    "administrative-regulation": "GOVDOC",
    "departmental-rule": "GOVDOC",
    "judicial-interpretation": "GOVDOC",
    "local-regulation": "GOVDOC",
    "standard": "STAND",
    "draft": "BILL",
    "commentary": "ELEC",
    "other": "GEN",
}

# How each unit prints. Chinese items are printed （四） in the text and cited 第（四）项;
# sub-items are printed 1. and cited 第1目.
_ZH_UNIT = {
    "book": "第{cn}编",
    "subbook": "第{cn}分编",
    "chp": "第{cn}章",
    "sec": "第{cn}节",
    "art": "第{cn}条",
    "para": "第{cn}款",
    "item": "第（{cn}）项",
    "subitem": "第{n}目",
}
_EN_CONTAINER = {"book": "bk.", "subbook": "pt.", "chp": "ch.", "sec": "sec."}


def eid_units(eid: str) -> list[tuple[str, str]]:
    """``art_13__para_1`` -> ``[("art", "13"), ("para", "1")]``; ``preamble`` -> ``[("preamble", "")]``
    (:func:`kb.ids.loose_units`: a string that is not an eid reads part by part)."""
    return loose_units(eid)


def _cn(num: str) -> str:
    """``13`` -> 十三 (``17-1`` is split by the caller)."""
    return int_to_cn(int(num)) if num.isdigit() else num


def pinpoint_zh(eid: str) -> str:
    """The Chinese pinpoint of an eid, as statutes cite one another."""
    out: list[str] = []
    for kind, num in eid_units(eid):
        if kind == "preamble":
            out.append("序言")
        elif kind == "art" and "-" in num:
            main, sub = num.split("-", 1)
            out.append(f"第{_cn(main)}条之{_cn(sub)}")
        elif kind in _ZH_UNIT:
            out.append(_ZH_UNIT[kind].format(cn=_cn(num), n=num))
        else:
            out.append(f"{kind} {num}".strip())
    return "".join(out)


def pinpoint_en(eid: str) -> str:
    """The English pinpoint: ``art. 13(1)(iv)``, ``ch. 2, sec. 1``, ``preamble``."""
    containers: list[str] = []
    article = ""
    for kind, num in eid_units(eid):
        if kind == "preamble":
            containers.append("preamble")
        elif kind in _EN_CONTAINER:
            containers.append(f"{_EN_CONTAINER[kind]} {num}")
        elif kind == "art":
            article = f"art. {num}"
        elif kind in ("para", "subitem"):
            article += f"({num})"
        elif kind == "item":
            article += f"({int_to_roman(int(num))})" if num.isdigit() else f"({num})"
        else:
            containers.append(f"{kind} {num}".strip())
    return ", ".join([*containers, article] if article else containers)


def document_url(doc_id: str, base_url: str = "") -> str:
    return f"{base_url.rstrip('/')}{API_PREFIX}/documents/{doc_id}"


def provision_url(doc_id: str, eid: str, base_url: str = "") -> str:
    return f"{base_url.rstrip('/')}{API_PREFIX}/provisions/{doc_id}/{eid}"


def node_path(node_id: str) -> str:
    """The page path of a node id, without a leading ``/``: ``documents/<doc>``,
    ``provisions/<doc>/<eid>`` or ``documents/<doc>#p_7`` (a passage is an anchor on its
    document), each part percent-encoded (``/`` inside a part too).

    >>> node_path("pipl-2021"), node_path("pipl-2021/art_13"), node_path("chinai-163/p_7")
    ('documents/pipl-2021', 'provisions/pipl-2021/art_13', 'documents/chinai-163#p_7')
    """
    kind = node_type(node_id)
    if kind == "document":
        return "documents/" + quote(node_id, safe="")
    doc_id, rest = split_provision_id(node_id)
    if kind == "passage":
        return "documents/" + quote(doc_id, safe="") + "#" + quote(rest, safe="")
    return "provisions/" + quote(doc_id, safe="") + "/" + quote(rest, safe="")


def page_url(node_id: str, base_url: str = "") -> str:
    """The page people read (the web interface): ``/provisions/pipl-2021/art_13``.

    >>> page_url("网络安全法-2016-11-07/art_41", "https://kb.example")
    'https://kb.example/provisions/%E7%BD%91%E7%BB%9C%E5%AE%89%E5%85%A8%E6%B3%95-2016-11-07/art_41'
    """
    return f"{base_url.rstrip('/')}/{node_path(node_id)}"


def api_url(node_id: str, base_url: str = "") -> str:
    """The JSON resource: ``/api/v1/provisions/pipl-2021/art_13`` (a passage: ``/api/v1/passages/...``)."""
    path = node_path(node_id)
    if "#" in path:
        doc_path, _, passage = path.partition("#")
        path = "passages/" + doc_path.removeprefix("documents/") + "/" + passage
    return f"{base_url.rstrip('/')}{API_PREFIX}/{path}"


def _year(meta: DocumentMeta) -> str | None:
    date = meta.promulgated or meta.adopted or meta.date or meta.effective
    return date[:4] if date else None


def _short_name_en(meta: DocumentMeta) -> str | None:
    """The first Latin-script abbreviation (PIPL, CSL), if the manifest gives one."""
    for name in meta.short_names:
        if name.isascii():
            return name
    return None


def cite_zh(meta: DocumentMeta, eid: str | None = None) -> str | None:
    """``《中华人民共和国个人信息保护法》第十三条第一款第（四）项``; None without a Chinese title."""
    if not meta.title_zh:
        return None
    return f"《{meta.title_zh}》" + (pinpoint_zh(eid) if eid else "")


def cite_en(meta: DocumentMeta, eid: str | None = None) -> str:
    """``PIPL art. 13(1)(iv)`` for a provision, the full title and year for a document.

    Commentary is cited as authors, "title", outlet (date).
    """
    if meta.is_commentary:
        parts: list[str] = []
        if meta.authors:
            parts.append(", ".join(meta.authors))
        parts.append(f"\u201c{meta.title_en or meta.id}\u201d")
        tail = ", ".join(x for x in (meta.outlet, meta.date) if x)
        if tail:
            parts.append(tail)
        return ", ".join(parts)
    title = meta.title_en or meta.title_zh or meta.id
    if eid:
        return f"{_short_name_en(meta) or title} {pinpoint_en(eid)}"
    year = _year(meta)
    return f"{title} ({year})" if year and year not in title else title


def version_date(meta: DocumentMeta) -> str | None:
    """The date that names a version: promulgated, else adopted, else its date."""
    return meta.promulgated or meta.adopted or meta.date


def cite_three_script(meta: DocumentMeta, eid: str | None = None) -> str:
    """汉字 title, pinyin, English title, the pinpoint in both languages and the version date.

    >>> from kb.model import DocumentMeta
    >>> m = DocumentMeta(id="csl-2016", kind="law", title_zh="中华人民共和国网络安全法",
    ...                  title_en="Cybersecurity Law of the People's Republic of China", promulgated="2016-11-07")
    >>> print(cite_three_script(m, "art_41__para_1"))
    《中华人民共和国网络安全法》 (Zhōnghuá Rénmín Gònghéguó Wǎngluò Ānquánfǎ) [Cybersecurity Law of the \
People's Republic of China] 第四十一条第一款 (art. 41(1)), version of 2016-11-07
    """
    if not meta.title_zh or meta.is_commentary:
        return cite_en(meta, eid)
    parts = [f"《{meta.title_zh}》", f"({pinyin_title(meta.title_zh)})"]
    if meta.title_en:
        parts.append(f"[{meta.title_en}]")
    if eid:
        parts.append(f"{pinpoint_zh(eid)} ({pinpoint_en(eid)})")
    text = " ".join(parts)
    date = version_date(meta)
    return f"{text}, version of {date}" if date else text


def _date_parts(date: str | None) -> list[int] | None:
    if not date:
        return None
    try:
        return [int(x) for x in date.split("-")[:3]]
    except ValueError:
        return None


def to_csl(meta: DocumentMeta, eid: str | None = None, *, url: str, api: str = "") -> dict[str, Any]:
    """A CSL-JSON item (one object; wrap it in a list for a CSL-JSON file)."""
    item: dict[str, Any] = {
        "id": f"{meta.id}/{eid}" if eid else meta.id,
        "type": CSL_TYPES.get(meta.kind, "document"),
        "title": meta.title_en or meta.title_zh or meta.id,
        "URL": url,
    }
    if meta.title_zh and meta.title_en:
        item["original-title"] = meta.title_zh
    short = _short_name_en(meta)
    if short:
        item["title-short"] = short

    if meta.is_commentary:
        if meta.authors:
            item["author"] = [{"literal": a} for a in meta.authors]
        if meta.outlet:
            item["container-title"] = meta.outlet
        item["language"] = "en"
    else:
        if meta.issuer:
            item["authority"] = meta.issuer
        number = meta.extra.get("doc_number")
        if isinstance(number, str) and number:
            item["number"] = number
        item["language"] = "zh-CN"
        if meta.status and meta.status not in ("in_force", "published", "unknown"):
            item["status"] = meta.status.replace("_", " ")
    issued = _date_parts(meta.promulgated or meta.adopted or meta.date)
    if issued:
        item["issued"] = {"date-parts": [issued]}
    if eid:
        item["section"] = pinpoint_en(eid)
    # CSL has one URL and no field for a transliteration: the note carries the
    # three-script citation (with the pinyin title) and the API URL.
    note = [cite_three_script(meta, eid)] if meta.title_zh and not meta.is_commentary else []
    if api:
        note.append(f"API: {api}")
    if note:
        item["note"] = "\n".join(note)
    return item


_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")


def _bibtex_escape(value: str) -> str:
    value = value.replace("\\", r"\textbackslash{}")
    value = _BIBTEX_SPECIAL.sub(r"\\\1", value)
    return value.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def to_bibtex(meta: DocumentMeta, eid: str | None = None, *, url: str, api: str = "") -> str:
    """A BibTeX ``@misc`` entry (portable to every BibTeX and biblatex style), with an ASCII key."""
    key = bibtex_key(meta.id, eid)
    title = meta.title_en or meta.title_zh or meta.id
    if eid:
        title = f"{title}, {pinpoint_en(eid)}"
    # Double braces keep the title's capitalisation (PIPL, China) in every style.
    fields: list[tuple[str, str]] = [("title", "{" + _bibtex_escape(title) + "}")]
    if meta.title_zh and not meta.is_commentary:
        if meta.title_en:
            fields.append(("origtitle", "{" + _bibtex_escape(meta.title_zh) + "}"))
        fields.append(("titlepinyin", "{" + _bibtex_escape(pinyin_title(meta.title_zh)) + "}"))
    if meta.is_commentary:
        if meta.authors:
            fields.append(("author", " and ".join("{" + _bibtex_escape(a) + "}" for a in meta.authors)))
        if meta.outlet:
            fields.append(("howpublished", _bibtex_escape(meta.outlet)))
    elif meta.issuer:
        fields.append(("author", "{" + _bibtex_escape(meta.issuer) + "}"))
    year = _year(meta)
    if year:
        fields.append(("year", year))
    date = meta.promulgated or meta.adopted or meta.date
    if date:
        fields.append(("date", date))
    number = meta.extra.get("doc_number")
    if isinstance(number, str) and number:
        fields.append(("number", _bibtex_escape(number)))
    if meta.title_zh and not meta.is_commentary:
        fields.append(("note", _bibtex_escape(cite_three_script(meta, eid))))
    fields.append(("url", url.replace("{", "%7B").replace("}", "%7D")))
    if api:
        fields.append(("apiurl", api.replace("{", "%7B").replace("}", "%7D")))
    fields.append(("language", "english" if meta.is_commentary else "chinese"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}"


def to_ris(meta: DocumentMeta, eid: str | None = None, *, url: str, api: str = "") -> str:
    """A RIS record (``TY`` ... ``ER``): ``TI`` the original (Chinese) title, ``TT`` the translated one."""
    lines = [_ris_line("TY", RIS_TYPES.get(meta.kind, "GEN"))]
    original = meta.title_zh if meta.title_zh and not meta.is_commentary else None
    lines.append(_ris_line("TI", original or meta.title_en or meta.title_zh or meta.id))
    if original and meta.title_en:
        lines.append(_ris_line("TT", meta.title_en))
    short = _short_name_en(meta)
    if short:
        lines.append(_ris_line("ST", short))
    authors: Sequence[str] = meta.authors if meta.is_commentary else ([meta.issuer] if meta.issuer else [])
    lines.extend(_ris_line("AU", a) for a in authors)
    if meta.is_commentary and meta.outlet:
        lines.append(_ris_line("T2", meta.outlet))
    year = _year(meta)
    if year:
        lines.append(_ris_line("PY", year))
    date = meta.promulgated or meta.adopted or meta.date
    if date:
        lines.append(_ris_line("DA", date.replace("-", "/")))
    if eid:
        lines.append(_ris_line("SE", pinpoint_en(eid)))
    number = meta.extra.get("doc_number")
    if isinstance(number, str) and number:
        lines.append(_ris_line("M1", number))
    if original:
        lines.append(_ris_line("N1", cite_three_script(meta, eid)))
    lines.append(_ris_line("UR", url))
    if api:
        lines.append(_ris_line("UR", api))
    if meta.url:
        lines.append(_ris_line("L2", meta.url))
    lines.append(_ris_line("LA", "en" if meta.is_commentary else "zh"))
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def citation_record(meta: DocumentMeta, eid: str | None = None, *, base_url: str = "") -> dict[str, Any]:
    """Every citation form of a document (``eid=None``) or one of its provisions."""
    node = f"{meta.id}/{eid}" if eid else meta.id
    url, api = page_url(node, base_url), api_url(node, base_url)
    zh = cite_zh(meta, eid)
    en = cite_en(meta, eid)
    return {
        "id": f"{meta.id}/{eid}" if eid else meta.id,
        "doc_id": meta.id,
        "eid": eid,
        "zh": zh,
        "en": en,
        "pinpoint_zh": pinpoint_zh(eid) if eid else None,
        "pinpoint_en": pinpoint_en(eid) if eid else None,
        "three_script": cite_three_script(meta, eid),
        "version_date": version_date(meta),
        "url": url,
        "api_url": api,
        "source_url": meta.url,
        "text_available": meta.text_available,
        "bibtex_key": bibtex_key(meta.id, eid),
        "csl": to_csl(meta, eid, url=url, api=api),
        "bibtex": to_bibtex(meta, eid, url=url, api=api),
        "ris": to_ris(meta, eid, url=url, api=api),
    }


def render(record: Mapping[str, Any], fmt: CiteFormat) -> Any:
    """One format of a :func:`citation_record`: a string, or the record itself for ``json``
    (``csl-json`` is a CSL-JSON file: a list of one item)."""
    import json

    if fmt == "json":
        return dict(record)
    if fmt == "text":
        return "\n".join(x for x in (record["zh"], record["en"], record["url"], record["api_url"]) if x) + "\n"
    if fmt == "three-script":
        return "\n".join((record["three_script"], record["url"], record["api_url"])) + "\n"
    if fmt == "csl-json":
        return json.dumps([record["csl"]], ensure_ascii=False, indent=2)
    return str(record[fmt])
