"""Database triggers that give the Revision row a new token whenever directory data changes.

Triggers rather than signals: they fire for every writer (the admin, bulk updates, loaddata,
a shell, raw SQL) and inside the writer's own transaction, so no reader ever sees new data
under an old token. Installing them is idempotent: SQLite drops a table's triggers when a
migration rebuilds the table, so they are installed again after every migrate.
"""

REVISION_TABLE = "directory_revision"

SQLITE = {
    "new_token": "random()",
    "drop": "DROP TRIGGER IF EXISTS {name}",
    "create": (
        "CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW "
        "BEGIN UPDATE {revision} SET token = random() WHERE id = 1; END"
    ),
}
POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION directory_revision_bump() RETURNS trigger AS $$
BEGIN
    UPDATE {REVISION_TABLE} SET token = (random() * 4e18)::bigint WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def _name(table: str, event: str = "") -> str:
    return f"{table}_revision{'_' + event.lower() if event else ''}"


def install(connection, tables: list[str]) -> None:
    """(Re)create the triggers on these tables, and the Revision row if it is missing."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTION)
            for table in tables:
                # One per statement: a bulk update of a thousand rows changes the token once.
                cursor.execute(f"DROP TRIGGER IF EXISTS {_name(table)} ON {q(table)}")
                cursor.execute(
                    f"CREATE TRIGGER {_name(table)} "
                    f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {q(table)} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION directory_revision_bump()"
                )
            new_token = "(random() * 4e18)::bigint"
        elif connection.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    name = _name(table, event)
                    cursor.execute(SQLITE["drop"].format(name=name))
                    cursor.execute(
                        SQLITE["create"].format(
                            name=name, event=event, table=q(table), revision=REVISION_TABLE
                        )
                    )
            new_token = SQLITE["new_token"]
        else:
            raise NotImplementedError(f"No directory triggers for {connection.vendor}")
        cursor.execute(
            f"INSERT INTO {REVISION_TABLE} (id, token) VALUES (1, {new_token}) "
            "ON CONFLICT (id) DO NOTHING"
        )


def uninstall(connection, tables: list[str]) -> None:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {_name(table)} ON {q(table)}")
            else:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(SQLITE["drop"].format(name=_name(table, event)))


def directory_tables() -> list[str]:
    """The tables of every directory model but Revision itself and the history tables.

    A history row is written in the same transaction as the change it records, whose own
    table's trigger has changed the token already; and nothing a caller hears reads them.
    """
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    return [
        model._meta.db_table
        for model in apps.get_app_config("directory").get_models()
        if model._meta.db_table != REVISION_TABLE and not issubclass(model, HistoricalChanges)
    ]
