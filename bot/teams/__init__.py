"""The Microsoft Teams face (botbuilder). Everything Teams-specific lives in this folder."""
