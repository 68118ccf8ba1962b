"""Page forms a user's captures come in (kb.ingest.userdocs): a table of small pages of our own,
each in one general form, with the metadata it must give and the furniture that must not reach
a passage. The forms: a slide deck exported as text, a newspaper's e-paper page, a memo with
its header (its subject line the title), a blog or a newsletter under a masthead with a
tagline, a news page naming its site only in its chrome, a job board's posting under the
site's menu. No fixture's strings: every name and line here is made up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.ingest.manifest import load_manifest
from kb.ingest.userdocs import load_user_commentary

EN = (
    "The new rules require separate consent before a face is scanned at a gate. "
    "A company that stores faces of many people must file an assessment with the regulator.\n\n"
    "Users who refuse must be offered another way in, such as a card or a code.\n\n"
)
ZH = "《办法》第八条规定，人脸信息应当存储于人脸识别设备内。某律师表示，这一条影响很大。\n"

SLIDES = (
    "[Exported from Keynote · example-deck.key · 9 slides]\n\n--- Slide 1 ---\n"
    "Faces at the Gate: What the New Rules Ask of Product Teams\n"
    "Jane Roe, Senior Counsel, Example Advisory\nExample Privacy Summit · 3 March 2026\n\n"
    "--- Slide 2 ---\nWhy it matters\n" + EN + "--- Slide 3 ---\nThank you\n"
    "Slides are for discussion only and are not legal advice.\n"
)
EPAPER = (
    "某某晚报数字报\n2026年05月06日 星期三　　第07版：视点\n上一版　下一版　　版面导航\n"
    "小区门禁刷脸，业主能说不吗？\n（本报记者 张三 通讯员 李四）\n" + ZH * 4 + "（编辑：王五）\n"
)
ISSUE = "某某学报 · 电子版\n第321期　2026-06-01　　校园观察\n食堂刷脸支付，数据存在哪里？\n文/赵六　图/钱七\n" + ZH * 4
MEMO = (
    "To: Operations Committee\nFrom: Jane Roe, Data Protection Officer\n"
    "Re: Face terminals at the example depots\n"
    "Classification: Internal. Retention: 5 years from the date of this memo.\n\n" + EN
)
BLOG = (
    "EXAMPLE ROAMER — Honest travel notes\nHome > Asia > Airports\n"
    "Boarding by face at an example airport: what actually happens\nPosted by John Doe\n"
    "Last updated: 2 June 2026\n"
    "Affiliate disclosure: some links on this page earn us a small commission.\n\n" + EN + "Happy travels!\n"
)
CHROME = (
    "<html><head><title>Kindergarten gates scan faces</title></head><body>"
    '<header><img src="/img/logo.svg" alt="Example Harbour Times"></header>'
    "<article><h1>Kindergarten gates scan faces</h1><p>By Jane Roe</p>"
    + "".join(f"<p>{p}</p>" for p in EN.split("\n\n") if p)
    + "</article><footer><p>© 2026 Example Harbour Times. All rights reserved.</p></footer></body></html>"
)

LETTER = (
    "View this email in your browser\n\nTHE EXAMPLE LEDGER\nFaces and the law, every other Monday\n"
    "Issue 9 · 2 March 2026 · Edited by Jane Roe\n\nThe filings pile up, and a first court ruling on gates\n\n" + EN
)
LETTER_PLAIN = "THE EXAMPLE LEDGER\nThe filings pile up, and a first court ruling on gates\nBy Jane Roe\n\n" + EN
# A job board's posting: the site's menu (some items in Latin letters) and a row of buttons
# around the headline, an "updated 2 days ago" in place of a date.
JOB = (
    "某某招聘 | 好工作在这里\n首页　　找工作　　企业　　资讯　　下载APP　　登录/注册\n"
    "人脸识别算法工程师（门禁方向）\n20-30K·14薪\n更新于2天前\n投递简历　　收藏　　分享\n" + ZH * 4
)
# A government office's reply page (政府信息公开): the site's name and menu in one line, the
# page's record of fields, then the headline.
GOV = (
    "某某网信 · 首页　｜　机构概况　｜　政务公开　｜　建议提案办理　｜　互动交流\n"
    "索引号：000014349/2026-00012　　主题分类：网络安全与信息化　　公开方式：主动公开\n"
    "关于市人大第0101号代表建议的答复\n某网信函〔2026〕3号\n"
    + ZH * 4
    + "主办单位：某某市网信办　　网站标识码：3300000001　　某ICP备00000000号\n"
)
# A personal blog in Markdown, its name only in the footer's © line (a Latin letter inside it).
CN_BLOG = "# 刷脸认证养老金，我帮爸妈弄明白了\n\n" + ZH * 4 + "\n---\n\n© 2025 小Q的后院 · 由 Hugo 强力驱动\n"
# A note on a social app saved as Markdown: a link back to the app's feed over the headline.
NOTE = "[← 返回发现页](https://app.example/explore)\n\n# 物业要求刷脸录入，我拒绝了\n\n" + ZH * 4
# A Chinese newsletter by e-mail: the "view it in your browser" line over its masthead.
CN_LETTER = (
    "如果邮件无法正常显示，请点击此处查看网页版\n某某律师事务所　EXAMPLE LAW OFFICES\n"
    "数据合规通讯　2026年第3期\n\n人脸识别备案的三个常见问题\n" + ZH * 4
)
# A TV station's story: its reporters and camera crew credited in brackets after the text.
TV = "商场摄像头统计回头客，顾客知情吗？\n2026-05-06 19:30\n\n" + ZH * 4 + "\n（记者：张三 李四　摄像：王五）\n"
# A news portal reposting a paper's story: its fields in bracketed labels, one span each, with
# the font-size tool in the same line.
PORTAL = (
    "<html lang='zh-CN'><head><title>快递柜刷脸取件引争议_社会_某某新闻网</title></head><body>"
    "<div class='article'><h1>快递柜刷脸取件引争议</h1><div class='info'><span>【来源】某某晚报</span>"
    "<span>【作者】记者 张三 实习生 李四</span><span>【时间】2026-08-03 07:45</span>"
    "<span>【字号：大 中 小】</span></div><div class='content'>"
    + "".join(f"<p>{ZH.strip()}{k}</p>" for k in range(4))
    + "</div></div></body></html>"
)
# A message board's page: who left the message in its line of fields.
BOARD = (
    "<html lang='zh-CN'><head><title>自助机只能刷脸-某某网上问政</title></head><body>"
    "<div class='msg'><h1>自助机只能刷脸</h1><div class='msg-info'><span>留言人：王女士</span>"
    "<span>留言时间：2026-04-01 10:20</span><span>状态：已回复</span></div><div class='msg-body'>"
    + "".join(f"<p>{ZH.strip()}{k}</p>" for k in range(4))
    + "</div></div></body></html>"
)
# A news site's story: its source line names the site and the channel.
CHANNEL = "商场人脸抓拍被罚\n2026年05月06日08:21 | 来源：某某网－法治频道\n\n" + ZH * 4
# A securities firm's research report: the analyst's licence line, the disclaimers and the rating scale.
REPORT = (
    "# 人脸识别行业深度报告\n\n分析师：张三　执业证书编号：S0000000000001\n\n请务必阅读正文之后的信息披露和免责声明\n\n"
    + ZH * 4
    + "\n## 信息披露\n\n行业评级说明：增持——预期未来6个月内行业指数跑赢基准指数5%以上。\n\n"
    "免责声明：本报告仅供某某证券股份有限公司的客户使用。\n"
)
# A note on a social app: its author's name beside the follow button.
SOCIAL = "# 物业要我刷脸录入，我拒绝了\n\n某某在上海 ＋关注\n\n" + ZH * 4
# A podcast's show notes and an advice column, each with its disclaimer.
SHOW = (
    "Episode 12: Faces at the Border\n\n"
    + EN
    + "Example Bytes is a listener-supported show. Nothing in this episode is legal advice.\n\n"
    'Credits\n\nProduced by Jane Roe. Music: "Morning Fog" by John Doe. Transcript available to members.\n'
)
# A court's press summary in English: its note that the Chinese judgment is the text that counts.
SUMMARY = (
    "Press Release No. 7 (2026)\n\nCourt rules a gym may not make face scans the only way in\n\n"
    "This English summary is provided for information only. The Chinese judgment is the authoritative text.\n\n" + EN
)
COLUMN = (
    "Ask the Lawyer: Can my gym scan my face?\n\n"
    + EN
    + "Jane Roe is a lawyer in an example city. Send your questions to "
    "ask@example.org. Letters may be edited for length.\nThis column is general information, not legal advice.\n"
)
# A venue's FAQ page ending with its call to the help desk; a TV story's video player placeholder.
FAQ = (
    "# Face entry at the arena: your questions answered\n\n"
    + EN
    + "**Still have questions?** Chat with Guest Services, 9am–9pm daily.\n"
)
VIDEO = "商场摄像头统计回头客，顾客知情吗？\n2026-05-06 19:30\n\n视频加载中，请稍候……\n\n" + ZH * 4
# A CPPCC proposal printed from its office system: the system's banner, the session, then 案由 (the subject).
PROPOSAL = (
    "某某市政协提案管理系统　打印版\n政协某某市第十三届委员会第二次会议\n提　案\n第0101号\n"
    "案由：关于规范小区人脸识别门禁的提案\n提案人：民进某某市委会\n提交日期：2026年01月12日\n" + ZH * 4
)
# A magazine's advice column: masthead, tagline, the site's menu, the column's name, then a
# reader's question as the headline (two sentences) over the by-line.
ASK = (
    "EXAMPLE COMPASS\nThe English-language guide to an example city\nHome | Living | Family | Ask the Lawyer\n"
    "Legal Q&A column\nOur gym wants to scan our faces. Can we say no?\nBy Jane Roe\nFrom the May 2026 issue\n\n" + EN
)
# A blog post in Markdown: its by-line is the author's name, the date and the reading time.
NOTES = "# Translating the rules: five hard terms\n\n*Jane Roe · June 2, 2025 · 9 min read*\n\n" + EN
# A law firm's briefing pasted from its PDF: the running head names the firm.
BRIEFING = "Example Reid LLP | Client Briefing | Page 1 of 2\n\nMinors' face data: what changes\n\n" + EN
# A company's press release: its closing source line names the company.
RELEASE = "Example Vision completes its face-data filing\n\n" + EN + "Source: Example Vision Technology Co., Ltd.\n"
# A podcast's transcript: the show's name in 《》 in its title line.
PODCAST = "《某某放学后》播客 第3期文字稿：孩子的脸，谁说了算？\n\n" + ZH * 4
# A forum thread saved as text: the site's company before the © sign in its footer.
FORUM_TEXT = (
    "My gym wants my face to let me in. Is that legal?\n\n"
    + EN
    + "Examplit Rules · Privacy Policy · User Agreement · Examplit, Inc. © 2026. All rights reserved.\n"
)
# A forum post saved as text: the board, who posted it, then the question.
POST = (
    "r/example_city\nPosted by u/some_user · 3 mo. ago\n\nMy gym wants my face to let me in. Is that even legal?\n\n"
    + EN
)
JOB_EN = (
    "Home    Jobs    Events    Newsletters    Sign in\nFace Recognition Engineer, Access Control\n"
    "Posted 2 days ago\n\n" + EN
)
# A row of links over the headline (a breadcrumb trail or a menu, by the markup), whatever its crumbs say
LINK_ROW_ZH = (
    "[某某光电](https://x.example/) / [产品中心](https://x.example/p/) / [3D视觉模组](https://x.example/p/3d/)\n\n"
    "# XY-2 人脸识别模组 规格书\n\n" + ZH * 4
)
LINK_ROW_EN = (
    "[Example Optics](https://x.example/) [Face Modules for Access Control](https://x.example/p/)"
    " [Data Sheets and Manuals](https://x.example/d/)\n\n# The XY-2 Face Module: Data Sheet\n\n" + EN
)
# A question and its answers pasted as text: each post under a line with its writer and time stamp
QA_ZH = (
    "小区物业要求刷脸才能进门，我能拒绝吗？\n某某用户甲　提问时间：2026-05-02 20:41　　浏览 1,203 次\n\n"
    + ZH * 2
    + "\n某某用户乙　回答于 2026-05-02 22:06\n"
    + ZH * 2
    + "\n某某用户丙　回答于 2026-05-03 08:30\n"
    + ZH
)
QA_EN = (
    "Can my gym make me scan my face?\nsome_user · asked 2026-05-02 20:41 · 1,203 views\n\n"
    + EN
    + "other_user · answered 2026-05-02 22:06\n"
    + EN
)
# A document converted from PDF: its title stands over every page as "<title>｜<section>"
PDF_ZH = "［转换说明：本文由PDF转换］\n\n某某人脸识别合规报告（2026）\n\n" + "".join(
    f"某某人脸识别合规报告（2026）｜{n}、第{n}部分\n\n{n}、第{n}部分\n\n" + ZH for n in "一二三"
)
PDF_EN = "[Converted from PDF]\n\nThe Example Face Data Report 2026\n\n" + "".join(
    f"The Example Face Data Report 2026 | Part {n}\n\nPart {n}\n\n" + EN for n in "123"
)
# A document's header fields between its title and its text
SHEET_ZH = "某某人脸识别模组 规格书\n\n文档编号：XY-001　版本：第2版\n编制单位：某某公司\n二〇二六年三月\n\n" + ZH * 3
# Authors the page's microdata marks inside a by-line with more words around them
MICRODATA = (
    "<html><head><title>Filings, a year on</title></head><body><article><h1>Filings, a year on</h1>"
    "<p class='byline'>Live coverage by <span itemprop='author'>Jane Roe</span> and "
    "<span itemprop='author'>John Doe</span> in Example City</p>"
    + "".join(f"<p>{p}</p>" for p in EN.split("\n\n") if p)
    + "</article></body></html>"
)
MICRODATA_ZH = (
    "<html lang='zh'><head><title>刷脸门禁一年观察</title></head><body><article><h1>刷脸门禁一年观察</h1>"
    "<p class='byline'>现场直播 <span itemprop='author'><b itemprop='name'>张三</b></span>"
    " <span itemprop='author'>李四</span> 发自某某市</p><p>" + ZH * 3 + "</p></article></body></html>"
)
# The same under a Q&A site's name and menu: the question opens the text, its stamp right under it
QA_SITE = "某某问答 - 领先的中文问答平台\n首页　问题分类　我要提问\n\n" + QA_ZH
# A caption right under its image, with no credit word in it
CAPTION = (
    "# Gates at the example library\n\n" + EN + "![gates](/img/gates.jpg)\n"
    "*Six new gates at the example library's door*\n\n" + EN
)
CAPTION_ZH = "# 某某图书馆换上刷脸闸机\n\n" + ZH * 2 + "\n![闸机](/g.jpg)\n*效果图仅供参考*\n\n" + ZH * 2

CASES = [
    # name, text, metadata wanted, furniture that must not reach a passage
    (
        "deck.txt",
        SLIDES,
        {
            "title": "Faces at the Gate: What the New Rules Ask of Product Teams",
            "authors": ("Jane Roe",),
        },
        ["--- Slide", "Exported from", "not legal advice", "Senior Counsel"],
    ),
    (
        "epaper.txt",
        EPAPER,
        {
            "title": "小区门禁刷脸，业主能说不吗？",
            "outlet": "某某晚报",
            "date": "2026-05-06",
            "authors": ("张三", "李四"),
        },
        ["上一版", "版面导航", "本报记者", "第07版"],
    ),
    (
        "issue.txt",
        ISSUE,
        {"title": "食堂刷脸支付，数据存在哪里？", "date": "2026-06-01", "authors": ("赵六",)},
        ["第321期", "文/"],
    ),
    ("memo.txt", MEMO, {"title": "Face terminals at the example depots"}, ["Re:", "Classification", "Retention"]),
    (
        "blog.txt",
        BLOG,
        {"title": "Boarding by face at an example airport: what actually happens", "authors": ("John Doe",)},
        ["EXAMPLE ROAMER", "Affiliate disclosure", "Happy travels"],
    ),
    # a newsletter: masthead, tagline, issue line, headline; and the masthead right over its headline
    ("letter.txt", LETTER, {"title": "The filings pile up, and a first court ruling on gates"}, ["every other Monday"]),
    ("plain.txt", LETTER_PLAIN, {"title": "The filings pile up, and a first court ruling on gates"}, []),
    ("chrome.html", CHROME, {"outlet": "Example Harbour Times", "authors": ("Jane Roe",)}, ["©"]),
    # a menu line over the headline is not the title
    ("job.txt", JOB, {"title": "人脸识别算法工程师（门禁方向）"}, ["下载APP", "投递简历", "更新于"]),
    ("gov.txt", GOV, {"title": "关于市人大第0101号代表建议的答复", "outlet": "某某市网信办"}, ["机构概况", "索引号"]),
    ("cn_blog.md", CN_BLOG, {"outlet": "小Q的后院"}, ["Hugo"]),
    ("note.md", NOTE, {"title": "物业要求刷脸录入，我拒绝了"}, ["返回发现页"]),
    ("cn_letter.txt", CN_LETTER, {}, ["无法正常显示", "EXAMPLE LAW OFFICES"]),
    ("tv.txt", TV, {"title": "商场摄像头统计回头客，顾客知情吗？", "authors": ("张三", "李四")}, ["摄像："]),
    ("portal.html", PORTAL, {"authors": ("张三", "李四")}, ["字号"]),
    ("board.html", BOARD, {"authors": ("王女士",), "date": "2026-04-01", "outlet": "某某网上问政"}, ["留言时间"]),
    ("channel.txt", CHANNEL, {"outlet": "某某网", "date": "2026-05-06"}, ["来源"]),
    ("report.md", REPORT, {"title": "人脸识别行业深度报告"}, ["执业证书编号", "免责声明", "评级说明"]),
    ("social.md", SOCIAL, {"authors": ("某某在上海",)}, ["关注"]),
    ("show.txt", SHOW, {"title": "Episode 12: Faces at the Border"}, ["legal advice", "Produced by"]),
    ("summary.txt", SUMMARY, {}, ["authoritative text", "Press Release"]),
    (
        "faq.md",
        FAQ,
        {"title": "Face entry at the arena: your questions answered"},
        ["Still have questions", "Guest Services"],
    ),
    ("video.txt", VIDEO, {}, ["加载中"]),
    (
        "column.txt",
        COLUMN,
        {"title": "Ask the Lawyer: Can my gym scan my face?"},
        ["legal advice", "Send your questions"],
    ),
    ("proposal.txt", PROPOSAL, {"title": "关于规范小区人脸识别门禁的提案"}, ["打印版"]),
    (
        "ask.txt",
        ASK,
        {"title": "Our gym wants to scan our faces. Can we say no?", "date": "2026-05"},
        ["English-language"],
    ),
    ("notes.md", NOTES, {"authors": ("Jane Roe",), "date": "2025-06-02"}, ["min read"]),
    ("briefing.txt", BRIEFING, {"outlet": "Example Reid LLP"}, ["Page 1 of 2"]),
    ("release.txt", RELEASE, {"outlet": "Example Vision Technology Co., Ltd."}, []),
    ("podcast.txt", PODCAST, {"outlet": "某某放学后"}, []),
    ("forum.txt", FORUM_TEXT, {"outlet": "Examplit"}, ["Privacy Policy"]),
    (
        "post.txt",
        POST,
        {"title": "My gym wants my face to let me in. Is that even legal?", "authors": ("some_user",)},
        [],
    ),
    ("job_en.txt", JOB_EN, {"title": "Face Recognition Engineer, Access Control"}, ["Sign in", "days ago"]),
    ("qa.txt", QA_ZH, {"date": "2026-05-02"}, ["提问时间", "回答于"]),
    ("qa_site.txt", QA_SITE, {"date": "2026-05-02"}, ["提问时间", "回答于"]),
    ("qa_en.txt", QA_EN, {"date": "2026-05-02"}, ["asked 2026", "answered 2026"]),
    ("pdf.txt", PDF_ZH, {"title": "某某人脸识别合规报告（2026）"}, ["）｜"]),
    ("pdf_en.txt", PDF_EN, {"title": "The Example Face Data Report 2026"}, ["2026 | Part"]),
    ("sheet.txt", SHEET_ZH, {"title": "某某人脸识别模组 规格书", "date": "2026-03"}, ["文档编号", "编制单位", "二〇"]),
    ("microdata.html", MICRODATA, {"authors": ("Jane Roe", "John Doe")}, ["Live coverage"]),
    ("microdata_zh.html", MICRODATA_ZH, {"authors": ("张三", "李四")}, ["现场直播"]),
    ("caption.md", CAPTION, {"title": "Gates at the example library"}, ["Six new gates"]),
    ("caption_zh.md", CAPTION_ZH, {"title": "某某图书馆换上刷脸闸机"}, ["效果图"]),
    ("link_row.md", LINK_ROW_ZH, {"title": "XY-2 人脸识别模组 规格书"}, ["产品中心"]),
    ("link_row_en.md", LINK_ROW_EN, {"title": "The XY-2 Face Module: Data Sheet"}, ["Data Sheets and Manuals"]),
]


@pytest.mark.parametrize(("name", "text", "want", "furniture"), CASES, ids=[c[0] for c in CASES])
def test_a_page_form_gives_its_metadata_and_drops_its_furniture(
    tmp_path: Path, name: str, text: str, want: dict[str, object], furniture: list[str]
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    got = {
        "title": doc.meta.title_en or doc.meta.title_zh,
        "outlet": doc.meta.outlet,
        "date": doc.meta.date,
        "authors": tuple(doc.meta.authors),
    }
    assert {k: got[k] for k in want} == want
    body = " ".join(p.text for p in doc.parsed.passages)
    assert [f for f in furniture if f in body] == []
