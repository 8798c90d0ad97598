"""What an audit is and the rules it follows: models, templates, gates, themes, agreement, plain values."""
