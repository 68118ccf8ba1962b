"""Facts about the real default corpus that several tests check (from SOURCES.md and the issue)."""

ARTICLE_COUNTS: dict[str, int] = {
    "pipl-2021": 74,
    "spc-frt-2021": 16,
    "csl-2016": 79,
    "csl-2025": 81,
    "dsl-2021": 55,
    "video-image-2025": 34,
    "civil-code-2020": 1260,
    "minors-protection-2020": 132,
    "minors-protection-2024": 132,
    "minors-online-2023": 60,
    "network-data-2024": 64,
    "national-security-2015": 84,
    "counter-espionage-2014": 40,
    "counter-espionage-2023": 71,
    "counter-terrorism-2018": 97,
    "cac-mps-frt-2025": 20,
    "children-pi-2019": 29,
}
