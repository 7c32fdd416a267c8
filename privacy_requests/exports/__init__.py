"""Access and export requests: building the ZIP, the download, its expiry and the daily quota."""
