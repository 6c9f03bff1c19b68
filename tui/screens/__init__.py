"""The Textual screens, dialogs and widgets, and the bridge that turns engine events into
messages. Everything here may import Textual; nothing here reads the engine's mutable state
except through ``tui.headless``'s views.
"""
