"""Pages saved from publishing platforms (kb.ingest.platforms): the account is the outlet."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from kb.errors import ConfigError
from kb.ingest.html_meta import page_metadata
from kb.ingest.manifest import load_manifest
from kb.ingest.platforms import PlatformRules, account_outlet, page_account, platform_rules
from kb.ingest.userdocs import load_user_commentary

RULES = platform_rules()


@pytest.mark.parametrize("n", range(len(RULES.examples)))
def test_the_stored_examples_hold(n: int) -> None:
    example = RULES.examples[n]
    meta, _ = page_metadata(lxml.html.fromstring(example.html), f"example-{n}.html")
    assert (meta.outlet, list(meta.authors or ())) == (example.outlet, list(example.authors))


def test_every_kind_of_example_is_stored() -> None:
    """An account over a platform, an account with no site, a site that is not a platform."""
    kinds = set()
    for e in RULES.examples:
        root = lxml.html.fromstring(e.html)
        account = page_account(root)
        kinds.add("account" if account and account == e.outlet else "site")
    assert kinds == {"account", "site"}


@pytest.mark.parametrize(
    ("site", "account", "outlet"),
    [
        ("微信公众平台", "某某观察", "某某观察"),
        ("WECHAT", "某某观察", "某某观察"),  # platform names match whatever their case
        (None, "某某观察", "某某观察"),
        ("Example Daily", "某某观察", "Example Daily"),
        ("微信公众平台", None, "微信公众平台"),  # no account named: the platform is all there is
    ],
)
def test_account_outlet(site: str | None, account: str | None, outlet: str | None) -> None:
    assert account_outlet(site, account) == outlet


def test_an_account_name_must_be_short() -> None:
    long_text = "这不是账号名" * 10
    root = lxml.html.fromstring(f'<html><body><div class="profile_nickname">{long_text}</div></body></html>')
    assert page_account(root) is None


def test_a_wechat_page_in_a_commentary_folder(tmp_path: Path) -> None:
    page = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:site_name" content="微信公众平台"><meta property="og:title" content="门禁刷脸的三个问题">
<meta name="author" content="东湖数据法"></head><body>
<h1 class="rich_media_title" id="activity-name">门禁刷脸的三个问题</h1>
<div id="meta_content"><span class="rich_media_meta rich_media_meta_text">沈清</span>
<span class="rich_media_meta rich_media_meta_nickname"><a id="js_name" href="javascript:void(0);">东湖数据法</a></span>
<em id="publish_time">2025-07-01 09:00</em></div>
<div class="rich_media_content" id="js_content">
<p>人脸识别办法施行后，小区不得把刷脸作为进门的唯一方式。</p>
<p>处理不满十四周岁未成年人人脸信息的，应当取得其父母或者其他监护人的同意。</p>
</div></body></html>"""
    (tmp_path / "wx.html").write_text(page, encoding="utf-8")
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.outlet, doc.meta.authors, doc.meta.date) == ("东湖数据法", ("沈清",), "2025-07-01")
    assert not any("东湖数据法" in p.text for p in doc.parsed.passages)


def test_a_malformed_rules_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "platforms.toml"
    path.write_text('platforms = ["微信"]\naccount_marks = "js_name"\naccount_vars = []\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"platforms\.toml: account_marks"):
        platform_rules(path)


def test_rules_model_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError, match="platfroms"):
        PlatformRules.model_validate({"platfroms": [], "platforms": [], "account_marks": [], "account_vars": []})
