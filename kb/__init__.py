"""facelaw-kb: an annotated legal-corpus knowledge base on China's facial recognition rules."""

__version__ = "0.1.0"
__all__ = ["__version__"]
