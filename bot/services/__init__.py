"""Services: the rules of the help desk (journeys, cases, volunteers), above storage."""
