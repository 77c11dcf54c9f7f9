"""Word lists for PII redaction (bot/nlp/redact.py). The crisis rules' words and patterns are data, in
bot/nlp/rules/."""
