"""Where a question is answered: the question's analysis, the abstention decision, the direct answer line, the
extractive answerer and the chain (retrieval, then an answerer). The generative (LLM) answerer uses the same
analysis and decision. The answer units and answer types it reads passages with are in `assistant.language`."""
