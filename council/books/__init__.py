"""The pure core of money, points and ratings: balances derived from entries, disclosure
snapshots and their differences, satisfaction figures. No web, database or template code;
integers only."""
