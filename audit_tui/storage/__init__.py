"""The database: opening and checking the file, migrations, the store (the one way in for every change) and its trail."""
