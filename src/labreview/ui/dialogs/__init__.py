"""Dialogs pushed over a meeting screen: forms on ``form.FormDialog`` (prompt, decision, access request, field
edit, action item, session plan, attendance), the picker, and the keys of the screen underneath (help)."""
