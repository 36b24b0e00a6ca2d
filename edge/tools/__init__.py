"""Tools the assistant calls: manuals, readings, incidents. Each tool is one module."""
