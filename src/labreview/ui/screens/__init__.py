"""The screens of the meeting, one file each. They call ``labreview.portfolio`` and render what it returns."""
