"""The recommendation ranker: dialogue signals, content similarity, collaborative relations and
priors, combined with learned weights (weights.json). The chat and `python -m chatbot eval` use it."""
