"""Reports: the report bundle, scenario files and every export format."""
