"""Pure statistics and survey logic the chapter notebooks call: shares, intervals, suppression, roles, listing coverage."""
