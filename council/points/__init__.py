"""The points area (积分): standing duties, confirmed volunteer hours, redemptions."""
