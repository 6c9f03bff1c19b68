"""The session a seat plays, without a screen: the engine, its journal and pacing
(``session``), the read-only views the screens draw (``views``), the facilitator's model
(``facilitation``) and the Quick Reference Card's templates (``guide``). Must not import
Textual or Rich: checked by import-linter and by ``tests/test_architecture.py``.
"""
