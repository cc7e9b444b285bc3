"""What each member's pages read and do: restaurants, winegrowers, collectors."""
