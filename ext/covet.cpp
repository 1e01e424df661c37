/*
** covet: relations for SQLite. The entry point: registers every table and function.
**
**   .load covet                     -- sqlite3 shell, found on the library path
**   SELECT load_extension('covet');  -- any client that allows extension loading
**
** See docs/sql.md for the SQL it provides.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "covet/extension.h"
#include "modules.hpp"

extern "C" {

__attribute__((visibility("default"))) int sqlite3_covet_init(sqlite3* db, char** error_message,
                                                              const sqlite3_api_routines* api) {
    SQLITE_EXTENSION_INIT2(api);
    using namespace covet::ext;
    for (auto registration :
         {register_relations_vtab, register_related_vtab, register_related_sql_function, register_delete_function,
          register_delete_plan_vtab, register_check_vtab, register_info_functions, register_sync_function}) {
        int rc = registration(db);
        if (rc != SQLITE_OK) {
            set_error_message(error_message, std::string("covet: registration failed: ") + sqlite3_errstr(rc));
            return rc;
        }
    }
    return SQLITE_OK;
}

#ifdef SQLITE_CORE
int covet_register_extension(sqlite3* db) { return sqlite3_covet_init(db, nullptr, nullptr); }
#endif
}
