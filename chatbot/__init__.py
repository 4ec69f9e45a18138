"""A conversational recommender: Chroma retrieval, LLM-written text features, LLM pick-and-explain."""
