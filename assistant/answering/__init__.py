"""Where a question is answered: the question's analysis, answer units, the abstention decision, the direct
answer line and the extractive answerer. The generative (LLM) answerer uses the same analysis and decision."""
