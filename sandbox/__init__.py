"""coderl sandbox package."""
