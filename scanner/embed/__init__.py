"""Embedders: text to vectors, behind one small protocol. Always passed explicitly, never a library default."""

from scanner.embed.base import Embedder, make_embedder
from scanner.embed.fake import HashEmbedder

__all__ = ["Embedder", "HashEmbedder", "make_embedder"]
