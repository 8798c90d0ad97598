"""The work people do with audits: rounds, moderation, training and calibration, actions, merge, backup, the demo."""
