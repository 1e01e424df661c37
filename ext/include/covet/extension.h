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
** covet_delete, covet_delete_plan, covet_check, covet_sync, covet_graph and covet_version on db. */
int sqlite3_covet_init(sqlite3* db, char** error_message, const sqlite3_api_routines* api);

/* The same for an application that links covet statically; returns an SQLite result code. */
int covet_register_extension(sqlite3* db);

#ifdef __cplusplus
}
#endif

#endif
