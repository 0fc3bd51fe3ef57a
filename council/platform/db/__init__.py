from council.platform.db.engine import Database, is_unique_violation, open_database

__all__ = ["Database", "is_unique_violation", "open_database"]
