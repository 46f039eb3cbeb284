"""perfrules: declarative scoring rules for hierarchical performance-indicator frameworks."""
