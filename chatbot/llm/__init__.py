"""The LLM layer, built on LangChain: chat models for three backends (llama.cpp in-process, transformers,
any OpenAI-compatible server), prompts from `prompts/`, the pick-and-explain step with structured output
and a grounding check, and selling points written offline and cached. It never imports the dialogue
manager, the service or the UI."""
