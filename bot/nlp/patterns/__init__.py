"""Word lists and pattern data for the rule-based NLP in bot.nlp (crisis detection and PII redaction)."""
