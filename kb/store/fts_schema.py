"""The full-text index's schema: the SQL that creates and fills it, for the store's writers.

On SQLite the index is an FTS5 external-content table (:data:`FTS_TABLE`) over
``search_units`` with two columns: ``zh_tokens`` (Chinese, pre-segmented by jieba with
the legal user dictionary, one space between tokens) and ``en_text`` (English,
Porter-stemmed by FTS5).

On PostgreSQL the same two columns get a ``tsvector`` each (generated columns
``zh_tsv`` and ``en_tsv``, GIN-indexed): ``zh_tokens`` under the ``simple``
configuration (jieba's tokens kept as they are, lower-cased) and ``en_text`` under
``kb_english``, a copy of ``english`` with the original Porter stemmer and no stop
words, which is what FTS5's ``porter`` tokenizer does. Both texts first have their
punctuation turned into spaces (:data:`PG_PUNCTUATION`), so that PostgreSQL's parser
splits words where ``unicode61`` does (``face-recognition``, ``www.gov.cn``). A third
generated column, ``n_words`` (:data:`PG_LENGTH`), holds each row's length in words, for BM25.

How queries run over the index is ``kb.search`` (which sits above the store).
"""

from __future__ import annotations

__all__ = [
    "FTS_TABLE",
    "PG_COLUMNS",
    "PG_EN_CONFIG",
    "PG_LENGTH",
    "PG_PUNCTUATION",
    "PG_ZH_CONFIG",
    "create_fts_sql",
    "pg_words",
]

FTS_TABLE = "search_fts"


# PostgreSQL: the text search configuration of each column.
PG_ZH_CONFIG = "simple"
PG_EN_CONFIG = "kb_english"
# Punctuation, as a PostgreSQL regular expression: ASCII punctuation, the Latin-1 signs
# that occur in legal text, General Punctuation, CJK and full-width punctuation. It is
# spelled out rather than ``[[:punct:]]`` because a database with the C locale would
# not count “ or — as punctuation (and its colons would read as bind parameters).
PG_PUNCTUATION = (
    r"[!-/:-@[-`{-~\u00a7\u00ab\u00b6\u00b7\u00bb\u2010-\u205e"
    r"\u3000-\u3004\u3008-\u3020\u3030\u303d"
    r"\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+"
)
# The generated tsvector column of each indexed column, and its configuration.
PG_COLUMNS = {"zh_tokens": ("zh_tsv", PG_ZH_CONFIG), "en_text": ("en_tsv", PG_EN_CONFIG)}
# A generated column of search_units on PostgreSQL: the row's length in words (for BM25).
PG_LENGTH = "n_words"


def pg_words(expr: str) -> str:
    """SQL: ``expr`` with its punctuation turned into spaces."""
    return f"regexp_replace({expr}, '{PG_PUNCTUATION}', ' ', 'g')"


def _pg_word_count(column: str) -> str:
    """SQL: the number of words of a text column (0 for NULL or blank)."""
    text = f"coalesce({column}, '')"
    words = f"btrim({pg_words(text)})"
    return f"(CASE WHEN {words} = '' THEN 0 ELSE array_length(regexp_split_to_array({words}, '\\s+'), 1) END)"


def create_fts_sql(dialect: str = "sqlite") -> list[str]:
    """Statements that create and fill the index from ``search_units``.

    For ``"postgresql"`` they are idempotent and create, in the current schema, the
    ``kb_english`` configuration, the generated ``zh_tsv``/``en_tsv`` columns and
    their GIN indexes.
    """
    if dialect == "postgresql":
        return _create_pg_fts_sql()
    return [
        f"DROP TABLE IF EXISTS {FTS_TABLE}",
        (
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "zh_tokens, en_text, content='search_units', content_rowid='rowid', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        ),
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('rebuild')",
    ]


def _create_pg_fts_sql() -> list[str]:
    # A configuration lives in a schema, so it moves with the build schema when that is
    # renamed live; the generated columns refer to it by oid.
    config = (
        "DO $$ BEGIN "
        "IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'kb_porter' "
        "AND dictnamespace = current_schema()::regnamespace) THEN "
        "CREATE TEXT SEARCH DICTIONARY kb_porter (TEMPLATE = snowball, Language = porter); END IF; "
        "IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'kb_english' "
        "AND cfgnamespace = current_schema()::regnamespace) THEN "
        f"CREATE TEXT SEARCH CONFIGURATION {PG_EN_CONFIG} (COPY = pg_catalog.english); "
        f"ALTER TEXT SEARCH CONFIGURATION {PG_EN_CONFIG} ALTER MAPPING REPLACE english_stem WITH kb_porter; "
        "END IF; END $$"
    )
    statements = [config]
    for source, (column, cfg) in PG_COLUMNS.items():
        statements.append(
            f"ALTER TABLE search_units ADD COLUMN IF NOT EXISTS {column} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('{cfg}'::regconfig, {pg_words(source)})) STORED"
        )
        statements.append(f"CREATE INDEX IF NOT EXISTS ix_search_units_{column} ON search_units USING gin ({column})")
    # The row's length in words, as FTS5 counts it for bm25 (both columns, punctuation split).
    length = " + ".join(_pg_word_count(source) for source in PG_COLUMNS)
    statements.append(
        f"ALTER TABLE search_units ADD COLUMN IF NOT EXISTS {PG_LENGTH} integer GENERATED ALWAYS AS ({length}) STORED"
    )
    statements.append("ANALYZE search_units")
    return statements
