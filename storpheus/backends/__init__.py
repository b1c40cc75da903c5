"""Generation backends: the plug-in boundary and its implementations."""
