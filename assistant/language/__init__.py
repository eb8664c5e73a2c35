"""Text analysis shared by retrieval, answering and briefing: sentences and citation markers, answer units,
answer types and named entities. Pure functions over text; below every stage that reads passages."""
