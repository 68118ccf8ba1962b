"""The read side: queries, graph and topic views, citing and citation formats, over ``kb.store``."""
