"""CLI command modules, one per `python -m chatbot` subcommand."""
