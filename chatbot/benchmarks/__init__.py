"""Benchmarks behind `python -m chatbot bench ...`: each prints numbers, side by side with a floor or baseline."""
