"""Finding passages: the dense and hybrid (BM25 + dense) retrievers, fusion, reranking, the LangChain
adapters."""
