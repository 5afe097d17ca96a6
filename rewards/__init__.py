"""coderl rewards package."""
