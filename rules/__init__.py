"""Built-in rule files, shipped inside the package as advisor._rules (package data)."""
