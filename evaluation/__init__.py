"""Evaluation of retrieval and answering against a questions file: metrics and reports."""
