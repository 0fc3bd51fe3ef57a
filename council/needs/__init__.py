"""The needs area (问): residents' needs and worries (诉求/微心愿), me-toos per household, triage,
dispatch (吹哨交办), replies (办理回复) and ratings (满意度反馈)."""
