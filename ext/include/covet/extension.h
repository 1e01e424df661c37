/*
** covet, the SQLite relations extension, linked into an application.
**
**   #include <covet/extension.h>
**   sqlite3_auto_extension((void (*)(void))sqlite3_covet_init);  // every connection opened later
**   covet_register_extension(db);                                  // or one connection
**
** Link with the static library (pkg-config covet: covet-ext). The loadable module covet.so exports
** the same sqlite3_covet_init for `.load covet` and sqlite3_load_extension().
*/
#ifndef COVET_EXTENSION_H
#define COVET_EXTENSION_H

#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The SQLite extension entry point: registers covet_relations, related, covet_related,
** covet_related_sql, covet_delete, covet_delete_plan, covet_check, covet_sync, covet_graph and covet_version on db. */
int sqlite3_covet_init(sqlite3* db, char** error_message, const sqlite3_api_routines* api);

/* The same for an application that links covet statically; returns an SQLite result code. */
int covet_register_extension(sqlite3* db);

/* What SELECT covet_related_sql(relation, keys_parameter) returns, without running a statement:
** the SELECT of related(relation, keys) (columns source and target) with the keys argument in
** parameter ?keys_parameter, for a statement of one's own. A resolver keeps what it resolved, as
** related() does, and checks it against the schema version and the relation's row on each call.
**
**   covet_resolver* resolver;
**   covet_resolver_open(db, &resolver);
**   char *sql, *message;
**   if (covet_resolver_related_sql(resolver, "authors.books", 1, &sql, &message) == SQLITE_OK) ...
**   sqlite3_free(sql); sqlite3_free(message);
**   covet_resolver_close(resolver);   -- before closing db: it holds prepared statements
**
** Each returns SQLITE_OK or an SQLite error code; covet_resolver_related_sql() then sets *sql to
** NULL and, when error_message is not NULL, *error_message to the message ("covet: ..."). Free
** both with sqlite3_free(). */
typedef struct covet_resolver covet_resolver;
int covet_resolver_open(sqlite3* db, covet_resolver** resolver);
int covet_resolver_related_sql(covet_resolver* resolver, const char* relation, int keys_parameter, char** sql,
                               char** error_message);
void covet_resolver_close(covet_resolver* resolver);

#ifdef __cplusplus
}
#endif

#endif
